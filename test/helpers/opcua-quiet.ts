/**
 * Import first in any test that loads node-opcua. It warns through console.log, sometimes after a test has ended
 * (Jest then fails the run): errors go to stderr, warnings are dropped.
 */
import { routeOpcuaLogs } from '../../simulators/common/opcua-logs.js';

routeOpcuaLogs(undefined, (line) => process.stderr.write(`${line}\n`));
