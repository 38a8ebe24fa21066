/** Validates one object against its schema; returns one `path: message` per problem. */
export type SchemaCheck = (object: unknown) => string[];
