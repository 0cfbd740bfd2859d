export { loadConfig, parseConfig, CONFIG_FILES } from './load.js';
export { parseJsonc } from './jsonc.js';
export { failsOnWithRuleLevels } from './levels.js';
export { isExcluded } from './exclude.js';
export { starterConfig } from './starter.js';
export type { MigcheckConfig, LoadedConfig, RuleLevel } from './types.js';
