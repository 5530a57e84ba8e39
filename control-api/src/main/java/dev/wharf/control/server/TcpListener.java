package dev.wharf.control.server;

import dev.wharf.control.client.ClientTls;
import dev.wharf.control.client.HostPort;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * The API's optional TCP listener ({@code wharf daemon --listen HOST:PORT --tls-cert --tls-key
 * [--tls-client-ca]}): where it binds and with which credentials. The socket's 0660 mode is the
 * API's only access control, so off the host the same protection must come from TLS: without a
 * certificate the listener binds loopback addresses only, and with {@code --tls-client-ca} a client
 * must present a certificate that CA signed. Built and checked on the daemon's main thread before
 * anything starts, so that a bad option starts nothing.
 */
public final class TcpListener
{
    private final InetSocketAddress address;
    private final String text;
    private final ServerCredentials credentials;
    private final boolean tls;
    private final boolean mutual;

    private TcpListener(
        final InetSocketAddress address, final String text, final ServerCredentials credentials, final boolean tls, final boolean mutual)
    {
        this.address = address;
        this.text = text;
        this.credentials = credentials;
        this.tls = tls;
        this.mutual = mutual;
    }

    /**
     * Checks the options together and reads the TLS files.
     *
     * @param listen   HOST:PORT; port 0 picks a free one.
     * @param cert     the daemon's certificate chain (PEM), or null for plaintext.
     * @param key      its private key (PEM, PKCS#8), with {@code cert}.
     * @param clientCa the CA whose certificates clients must present (PEM), or null to ask for none.
     * @throws IllegalArgumentException with a one-line message naming the option at fault and what to do.
     */
    public static TcpListener of(final String listen, final Path cert, final Path key, final Path clientCa)
    {
        final HostPort hostPort = HostPort.parse(listen, "--listen");
        if ((cert == null) != (key == null))
        {
            throw new IllegalArgumentException(cert == null ? "--tls-key needs --tls-cert" : "--tls-cert needs --tls-key");
        }
        if (clientCa != null && cert == null)
        {
            throw new IllegalArgumentException("--tls-client-ca needs --tls-cert and --tls-key: client certificates are checked only over TLS");
        }
        final InetAddress[] addresses;
        try
        {
            addresses = InetAddress.getAllByName(hostPort.host());
        }
        catch (final UnknownHostException e)
        {
            throw new IllegalArgumentException("--listen " + hostPort + ": unknown host " + hostPort.host());
        }
        if (cert == null)
        {
            for (final InetAddress address : addresses)
            {
                if (!address.isLoopbackAddress())
                {
                    throw new IllegalArgumentException("--listen " + hostPort + ": " + address.getHostAddress() +
                        " is not a loopback address; plaintext is served on loopback only, add --tls-cert and --tls-key to serve beyond this host");
                }
            }
            return new TcpListener(new InetSocketAddress(addresses[0], hostPort.port()), hostPort.toString(),
                InsecureServerCredentials.create(), false, false);
        }
        final TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder();
        try
        {
            builder.keyManager(ClientTls.readable(cert, "--tls-cert").toFile(), ClientTls.readable(key, "--tls-key").toFile());
            if (clientCa != null)
            {
                builder.trustManager(ClientTls.readable(clientCa, "--tls-client-ca").toFile())
                    .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
            }
        }
        catch (final IOException e)
        {
            throw new IllegalArgumentException(e.getMessage());
        }
        return new TcpListener(new InetSocketAddress(addresses[0], hostPort.port()), hostPort.toString(), builder.build(), true, clientCa != null);
    }

    public InetSocketAddress address()
    {
        return address;
    }

    ServerCredentials credentials()
    {
        return credentials;
    }

    public boolean tls()
    {
        return tls;
    }

    /** True when clients must present a certificate. */
    public boolean mutualTls()
    {
        return mutual;
    }

    /** How clients are let in, for the daemon's log. */
    public String security()
    {
        return mutual ? "TLS, client certificates required" : tls ? "TLS" : "plaintext, loopback only";
    }

    @Override
    public String toString()
    {
        return text + " (" + security() + ")";
    }
}
