/** Registers the reach matchers of lib/testing for every test file (jest.config.js, setupFilesAfterEnv). */
import { reachMatchers } from '../../lib/testing';

expect.extend(reachMatchers);
