package dev.wharf.control.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * The two ends of the demo's TCP transfer, run inside the containers' namespaces
 * ({@code ip netns exec NS java -cp wharf.jar dev.wharf.control.demo.DemoTcpPeer ...}) so the demo
 * needs no tool beyond {@code ip} (no socat). Each end prints the SHA-256 of what it sent or
 * received, and the receiver prints the rate, which is a cold JVM's that makes up or hashes every
 * byte: the demo shows it as a content check, not as Wharf's speed.
 *
 * <pre>
 * serve PORT            accept one connection, read to the end, print "received BYTES sha256 HEX MBIT"
 * send HOST PORT MB     send MB megabytes of seeded pseudo-random data, print "sent BYTES sha256 HEX"
 * </pre>
 */
public final class DemoTcpPeer
{
    private static final int CHUNK = 64 * 1024;

    private DemoTcpPeer()
    {
    }

    public static void main(final String[] args) throws IOException, NoSuchAlgorithmException
    {
        if (args.length == 2 && args[0].equals("serve"))
        {
            serve(Integer.parseInt(args[1]));
        }
        else if (args.length == 4 && args[0].equals("send"))
        {
            send(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        }
        else
        {
            System.err.println("usage: DemoTcpPeer serve PORT | send HOST PORT MEGABYTES");
            System.exit(1);
        }
    }

    private static void serve(final int port) throws IOException, NoSuchAlgorithmException
    {
        try (ServerSocket server = new ServerSocket())
        {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(port));
            System.out.println("listening");
            System.out.flush();
            try (Socket socket = server.accept(); InputStream in = socket.getInputStream())
            {
                final MessageDigest digest = MessageDigest.getInstance("SHA-256");
                final byte[] buffer = new byte[CHUNK];
                long total = 0;
                final long start = System.nanoTime();
                int n;
                while ((n = in.read(buffer)) > 0)
                {
                    digest.update(buffer, 0, n);
                    total += n;
                }
                final double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("received %d sha256 %s %.2f Gbit/s%n", total, HexFormat.of().formatHex(digest.digest()),
                    total * 8 / seconds / 1e9);
            }
        }
    }

    private static void send(final String host, final int port, final int megabytes) throws IOException, NoSuchAlgorithmException
    {
        final MessageDigest digest = MessageDigest.getInstance("SHA-256");
        final SplittableRandom random = new SplittableRandom(megabytes);
        final byte[] buffer = new byte[CHUNK];
        long total = 0;
        try (Socket socket = new Socket(host, port); OutputStream out = socket.getOutputStream())
        {
            final long bytes = (long)megabytes << 20;
            while (total < bytes)
            {
                for (int i = 0; i < buffer.length; i += 8)
                {
                    final long r = random.nextLong();
                    for (int b = 0; b < 8; b++)
                    {
                        buffer[i + b] = (byte)(r >>> (b * 8));
                    }
                }
                final int n = (int)Math.min(buffer.length, bytes - total);
                out.write(buffer, 0, n);
                digest.update(buffer, 0, n);
                total += n;
            }
        }
        System.out.printf("sent %d sha256 %s%n", total, HexFormat.of().formatHex(digest.digest()));
    }
}
