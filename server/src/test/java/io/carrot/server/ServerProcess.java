package io.carrot.server;

import java.nio.file.Path;
import java.time.Clock;

/**
 * A carrot server in its own JVM, for the crash tests: {@code ServerProcess CONFIG.yaml} serves the
 * config with {@link TestRouters#tiny()}, prints {@code PORT n} once it listens, and closes cleanly
 * on SIGTERM (a {@code kill -9} gives it no chance to).
 */
final class ServerProcess {
  private ServerProcess() {}

  public static void main(String[] args) throws Exception {
    CarrotServer server = CarrotServer.start(ServerConfig.load(Path.of(args[0])), TestRouters.tiny(), System::getenv, Clock.systemUTC());
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    System.out.println("PORT " + server.port());
    System.out.flush();
    server.join();
  }
}
