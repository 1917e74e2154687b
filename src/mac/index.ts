// The MAC core: values, notations, flags, ranges, IPv4 helpers, NLB addresses and classification.
// The vendor registry is deliberately not re-exported (it is large); import './vendor.js' where needed.
export * from './mac.js';
export * from './range.js';
export * from './ipv4.js';
export * from './nlb.js';
export * from './classify.js';
export * from './prefixes.js';
