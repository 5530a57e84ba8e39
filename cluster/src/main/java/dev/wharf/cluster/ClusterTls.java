package dev.wharf.cluster;

import java.nio.file.Path;

/**
 * TLS to the store: the CA that signed etcd's certificate, and this host's client certificate and key
 * (PEM) when etcd asks for one ({@code --client-cert-auth}). Null paths: not used.
 */
public record ClusterTls(Path ca, Path certificate, Path key)
{
    public ClusterTls
    {
        if (ca == null)
        {
            throw new IllegalArgumentException("TLS to the cluster store needs the CA certificate (--cluster-tls-ca)");
        }
        if ((certificate == null) != (key == null))
        {
            throw new IllegalArgumentException("a client certificate needs its key and a key its certificate (--cluster-tls-cert with --cluster-tls-key)");
        }
    }
}
