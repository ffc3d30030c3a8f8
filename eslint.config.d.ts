// Types of eslint.config.js for test/layers.test.ts, which reads the layer order from it.
export declare const LAYERS: readonly string[];
declare const config: unknown;
export default config;
