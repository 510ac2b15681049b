import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RrunError, isRrunError } from '../../oci/errors.js';

class SubError extends RrunError {}

test('RrunError is recognised across bundle copies by its brand; subclasses keep prototype checks', () => {
  const e = new RrunError({ code: 'ERR_X', message: 'x' });
  const copy: unknown = Object.assign(Object.create(Error.prototype), { [Symbol.for('rrun.RrunError')]: true, code: 'ERR_X' });
  assert.ok(e instanceof RrunError);
  assert.ok(copy instanceof RrunError, 'an instance of another copy of the class');
  assert.ok(isRrunError(copy, 'ERR_X'));
  assert.ok(!(e instanceof SubError), 'a plain RrunError is not a SubError');
  assert.ok(new SubError({ code: 'ERR_Y', message: 'y' }) instanceof SubError);
  assert.ok(!(new Error('z') instanceof RrunError));
  assert.equal(e.exitCode, 125);
});
