// Placeholder replaced by the test-bed implementation.
export async function prepareTestBed(): Promise<unknown> {
  throw new Error('test bed not implemented yet');
}
