// Preload for benchmarking Portkey AI Gateway beside carrot (docs/BENCHMARKS.md): its start script
// listens on every interface at a fixed port; this binds each server of the process to 127.0.0.1
// on a free port instead and prints the port as "LISTENING <port>" on stderr.
const net = require('net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  this.once('listening', () => process.stderr.write(`LISTENING ${this.address().port}\n`));
  const callback = args.find((a) => typeof a === 'function');
  return listen.call(this, { port: 0, host: '127.0.0.1' }, callback);
};
