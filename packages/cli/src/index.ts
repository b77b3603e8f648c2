// @moneybag/cli: the message inspector behind `moneybag inspect` (the command itself is apps/server's).
export { inspect, inspectOne, messageBytes } from './inspect.ts';
