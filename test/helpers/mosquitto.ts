/** The Mosquitto harness lives with the benchmarks (which the build compiles); tests use the same one. */
export {
  mosquittoBinary,
  startMosquitto,
  type MosquittoBroker,
  type MosquittoTls,
} from '../../bench/support/mosquitto.js';
