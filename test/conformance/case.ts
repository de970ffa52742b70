/** One conformance check: runs on its own, and throws an Error saying what differs. */
export interface Case {
  name: string;
  run(): Promise<void>;
}
