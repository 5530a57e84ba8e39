package dev.wharf.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A CA, a server certificate for 127.0.0.1 and client certificates, made by the openssl command line in a
 * temporary directory: what an operator would hand etcd and each host. Keys are PKCS#8 PEM, as Netty reads them.
 */
record TestPki(Path directory)
{
    static TestPki create() throws IOException, InterruptedException
    {
        final TestPki pki = new TestPki(Files.createTempDirectory("wharf-pki"));
        pki.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=wharf test CA",
            "-keyout", pki.file("ca.key"), "-out", pki.file("ca.pem"));
        pki.signed("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1");
        pki.signed("client", "/CN=host-a", "extendedKeyUsage=clientAuth");
        return pki;
    }

    /** A certificate {@code name}.pem and key {@code name}.key signed by the CA. */
    void signed(final String name, final String subject, final String extension) throws IOException, InterruptedException
    {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", file(name + ".key"), "-out", file(name + ".csr"));
        Files.writeString(directory.resolve(name + ".ext"), extension + "\n");
        openssl("x509", "-req", "-in", file(name + ".csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial", "-days", "2",
            "-extfile", file(name + ".ext"), "-out", file(name + ".pem"));
    }

    Path ca()
    {
        return directory.resolve("ca.pem");
    }

    Path serverCertificate()
    {
        return directory.resolve("server.pem");
    }

    Path serverKey()
    {
        return directory.resolve("server.key");
    }

    Path clientCertificate()
    {
        return directory.resolve("client.pem");
    }

    Path clientKey()
    {
        return directory.resolve("client.key");
    }

    private String file(final String name)
    {
        return directory.resolve(name).toString();
    }

    private void openssl(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + output);
        }
    }
}
