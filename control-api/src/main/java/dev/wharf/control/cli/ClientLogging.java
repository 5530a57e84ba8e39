package dev.wharf.control.cli;

import io.grpc.netty.shaded.io.netty.util.internal.logging.InternalLoggerFactory;
import io.grpc.netty.shaded.io.netty.util.internal.logging.JdkLoggerFactory;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logging for a CLI process that only calls the daemon: Netty logs through java.util.logging (as
 * gRPC does) instead of SLF4J, because logback's start-up (parsing logback.xml) costs more than the
 * call itself. The levels are logback.xml's for the same loggers. Call once, on the main thread,
 * before the first Netty class loads; the daemon keeps logback.
 */
final class ClientLogging
{
    /** java.util.logging holds loggers weakly: these keep their levels alive for the process. */
    private static final Logger GRPC = Logger.getLogger("io.grpc");
    private static final Logger BOOTSTRAP = Logger.getLogger("io.grpc.netty.shaded.io.netty.bootstrap");

    private ClientLogging()
    {
    }

    static void install()
    {
        GRPC.setLevel(Level.WARNING);
        // grpc asks every client channel for SO_KEEPALIVE, which Unix sockets do not have: harmless noise
        BOOTSTRAP.setLevel(Level.SEVERE);
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
    }
}
