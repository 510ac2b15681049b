// Stand-in for chalk inside the CLI bundles (src/cli/bundle.mjs aliases it): cmd-ts
// colours its help and parse errors with chalk, which probes the terminal and loads
// three modules on every start of every verb. podman prints no colours there either,
// so every style is the identity.
type Style = ((...text: unknown[]) => string) & { readonly [name: string]: Style };

const style: Style = new Proxy(((...text: unknown[]) => text.map(String).join(' ')) as Style, {
  get: (_target, key) => (typeof key === 'string' ? style : undefined),
});

export default style;
