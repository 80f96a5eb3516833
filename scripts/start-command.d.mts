/** Types of start-command.mjs, for the TypeScript benchmarks and tests that import it. */
export declare function startCommand(): string[];
