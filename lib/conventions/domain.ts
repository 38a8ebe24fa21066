/** Prefix of this project's own labels and annotations. */
export const DOMAIN = 'secure-ai-egress';
