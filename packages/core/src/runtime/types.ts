// The runtime implements the command contract of contract/; its files use the contract's types under these names.
export type * from '../contract/index.ts';
