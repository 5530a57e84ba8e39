package dev.wharf.control.daemon;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throwaway CAs and certificates for TLS tests, made with the {@code openssl} command line in a
 * test's temporary directory: EC P-256 keys in PKCS#8 PEM (what gRPC's TLS credentials read),
 * certificates valid for a day. Outside CI a machine without openssl skips the test; with
 * {@code CI=true} it fails it.
 */
final class TestCertificates
{
    private final Path directory;

    /** A certificate and its key; {@code name} is the file stem. */
    record Pair(Path cert, Path key)
    {
    }

    TestCertificates(final Path directory)
    {
        this.directory = directory;
        final boolean present = Files.isExecutable(Path.of("/usr/bin/openssl")) || Files.isExecutable(Path.of("/bin/openssl"));
        if ("true".equalsIgnoreCase(System.getenv("CI")))
        {
            Assertions.assertTrue(present, "CI=true and the test cannot run: needs the openssl command");
        }
        Assumptions.assumeTrue(present, "needs the openssl command");
    }

    /** A self-signed CA. */
    Pair ca(final String name) throws Exception
    {
        final Pair ca = new Pair(directory.resolve(name + ".pem"), directory.resolve(name + ".key"));
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", ca.key().toString(), "-out", ca.cert().toString(), "-days", "1", "-subj", "/CN=" + name,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return ca;
    }

    /** A server certificate for localhost and 127.0.0.1, signed by {@code ca}. */
    Pair server(final String name, final Pair ca) throws Exception
    {
        return leaf(name, ca, "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    }

    /** A client certificate, signed by {@code ca}. */
    Pair client(final String name, final Pair ca) throws Exception
    {
        return leaf(name, ca, "extendedKeyUsage=clientAuth\n");
    }

    private Pair leaf(final String name, final Pair ca, final String extensions) throws Exception
    {
        final Pair pair = new Pair(directory.resolve(name + ".pem"), directory.resolve(name + ".key"));
        final Path csr = directory.resolve(name + ".csr");
        final Path ext = directory.resolve(name + ".ext");
        Files.writeString(ext, extensions);
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", pair.key().toString(), "-out", csr.toString(), "-subj", "/CN=" + name);
        openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.cert().toString(), "-CAkey", ca.key().toString(),
            "-CAcreateserial", "-out", pair.cert().toString(), "-days", "1", "-extfile", ext.toString());
        return pair;
    }

    private void openssl(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assertions.assertTrue(process.waitFor(60, TimeUnit.SECONDS), "openssl hung");
        Assertions.assertEquals(0, process.exitValue(), () -> String.join(" ", command) + ": " + output);
    }
}
