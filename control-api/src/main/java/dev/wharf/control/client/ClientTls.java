package dev.wharf.control.client;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How a client speaks TLS to a daemon's TCP listener: the CA that signed the daemon's certificate
 * (null: the JDK's trusted CAs), and the client's own certificate and key (PEM, key in PKCS#8) when
 * the daemon asks for one (mutual TLS). Immutable.
 */
public record ClientTls(Path ca, Path cert, Path key)
{
    public ClientTls
    {
        if ((cert == null) != (key == null))
        {
            throw new IllegalArgumentException(cert == null ? "--tls-key needs --tls-cert (the certificate of that key)" :
                "--tls-cert needs --tls-key (the certificate's private key)");
        }
    }

    /** Reads the files now, so that a missing one is named before any connection is tried. */
    ChannelCredentials credentials() throws IOException
    {
        final TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
        if (ca != null)
        {
            builder.trustManager(readable(ca, "--tls-ca").toFile());
        }
        if (cert != null)
        {
            builder.keyManager(readable(cert, "--tls-cert").toFile(), readable(key, "--tls-key").toFile());
        }
        return builder.build();
    }

    /** The file, if it is a readable regular file; otherwise a one-line IOException naming the option and the file. */
    public static Path readable(final Path file, final String option) throws IOException
    {
        if (!Files.isRegularFile(file) || !Files.isReadable(file))
        {
            throw new IOException(option + " " + file + ": " + (Files.exists(file) ? "not a readable file" : "no such file"));
        }
        return file;
    }
}
