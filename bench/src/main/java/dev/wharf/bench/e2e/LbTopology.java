package dev.wharf.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What both load-balancer scenarios share: a router namespace {@code wbe-lbr} (the "host", where the balancer
 * runs: nftables or a Wharf daemon) holding every host end, a client and three backends:
 * <pre>
 * c1 10.76.0.1/24 (wrk) ── wbe-h1 ┐
 * c2 10.77.0.2/24 (nginx, iperf3) ── wbe-h2 ┤ wbe-lbr: VIP 10.96.0.100:80 → 10.77.0.2-4:8080
 * b2 10.77.0.3/24 (nginx) ── wbe-h3 ┤                 VIP 10.96.0.100:5201 → 10.77.0.2:5201
 * b3 10.77.0.4/24 (nginx) ── wbe-h4 ┘
 * </pre>
 * c1 and c2 are the {@link ContainerPair}'s (c1 moved onto its own subnet with a default route via 10.76.0.254);
 * {@code wbe-b2} and {@code wbe-b3} are made here. Every backend has a default route via 10.77.0.254, so the
 * balancer translates destinations only (kube-proxy's DNAT of a service address, no masquerade), and the VIP lies
 * outside every subnet, as a ClusterIP does: c1 reaches it through its gateway. Each backend runs an nginx of its
 * own (its config, pid file, logs and document root in the run's work directory, never the system service) that
 * serves {@value #BODY_FILE}, a file holding the backend's name.
 * <p>
 * Deleting the router namespace destroys the host ends, and with them the containers' veths; the namespaces'
 * own undo (registered with the {@link Cleanup}) is all the links need.
 */
final class LbTopology
{
    static final String ROUTER = HarnessPrefix.name("lbr");
    static final String VIP = "10.96.0.100";
    static final int WEB_PORT = 80;
    static final int BACKEND_PORT = 8080;
    /** A second service on the VIP with one backend (c2): iperf3's control and data connections must reach one server. */
    static final int IPERF_PORT = 5201;
    static final String CLIENT_IP = NatKernelScenario.CONTAINER_IP;
    static final String CLIENT_SUBNET = NatKernelScenario.CONTAINER_SUBNET;
    static final String CLIENT_GATEWAY = NatKernelScenario.BRIDGE_IP;
    static final String BACKEND_SUBNET = "10.77.0.0/24";
    static final String BACKEND_GATEWAY = NatKernelScenario.UPLINK_IP;
    static final String BODY_FILE = "index.html";
    /** The client's ephemeral ports: connections per second through a balancer reuse them quickly. */
    static final String CLIENT_PORT_RANGE = "1024 65000";

    /** One backend: its namespace, host end (in the router) and address. */
    record Backend(String namespace, String hostEnd, String ip)
    {
    }

    static final List<Backend> BACKENDS = List.of(
        new Backend(ContainerPair.C2, ContainerPair.HOST_END_2, ContainerPair.IP2),
        new Backend(HarnessPrefix.name("b2"), HarnessPrefix.name("h3"), "10.77.0.3"),
        new Backend(HarnessPrefix.name("b3"), HarnessPrefix.name("h4"), "10.77.0.4"));

    private LbTopology()
    {
    }

    /** A sentence for the scenarios' descriptions. */
    static String summary()
    {
        return "client c1 " + CLIENT_IP + "/24 (wrk), backends " + String.join(", ", BACKENDS.stream().map(Backend::ip).toList()) +
            " (nginx on " + BACKEND_PORT + ", one worker each; iperf3 on c2), every host end in router namespace " + ROUTER;
    }

    /** The host ends, client's first, as they sit in the router namespace. */
    static List<String> hostEnds()
    {
        final List<String> ends = new ArrayList<>();
        ends.add(ContainerPair.HOST_END_1);
        BACKENDS.forEach(backend -> ends.add(backend.hostEnd()));
        return ends;
    }

    /** Why the load-balancer scenarios cannot run here (nginx or wrk missing), or null when they can. */
    static String missingTools()
    {
        final List<String> missing = new ArrayList<>();
        for (final String tool : new String[] {"nginx", "wrk"})
        {
            if (Shell.which(tool) == null)
            {
                missing.add(tool);
            }
        }
        return missing.isEmpty() ? null : String.join(" and ", missing) + (missing.size() == 1 ? " is" : " are") + " not installed; " +
            ToolCheck.installHint(missing.toArray(new String[0]));
    }

    /** Builds the namespaces, the links into the router and the addressing, and starts every backend's nginx. */
    static void create(final ContainerPair containers, final Path workDir, final Cleanup cleanup)
    {
        namespace(ROUTER, cleanup);
        for (final String hostEnd : new String[] {ContainerPair.HOST_END_1, ContainerPair.HOST_END_2})
        {
            Shell.run(10, "ip", "link", "set", hostEnd, "netns", ROUTER).require("move " + hostEnd + " into " + ROUTER);
        }
        for (final Backend backend : BACKENDS.subList(1, BACKENDS.size()))
        {
            namespace(backend.namespace(), cleanup);
            Shell.run(10, "ip", "link", "add", backend.hostEnd(), "type", "veth", "peer", "name", ContainerPair.DEVICE,
                "netns", backend.namespace()).require("veth " + backend.hostEnd());
            Shell.run(10, "ip", "link", "set", backend.hostEnd(), "netns", ROUTER).require("move " + backend.hostEnd() + " into " + ROUTER);
            Shell.inNamespace(10, backend.namespace(), "ip", "addr", "add", backend.ip() + "/" + ContainerPair.PREFIX_LENGTH,
                "dev", ContainerPair.DEVICE).require("address in " + backend.namespace());
            Shell.inNamespace(10, backend.namespace(), "ip", "link", "set", ContainerPair.DEVICE, "up").require("eth0 up in " + backend.namespace());
        }
        for (final String hostEnd : hostEnds())
        {
            Shell.inNamespace(10, ROUTER, "ip", "link", "set", hostEnd, "up").require("up " + hostEnd + " in " + ROUTER);
        }
        for (final Backend backend : BACKENDS)
        {
            Shell.inNamespace(10, backend.namespace(), "ip", "route", "add", "default", "via", BACKEND_GATEWAY, "dev", ContainerPair.DEVICE)
                .require("default route in " + backend.namespace());
        }
        containers.readdressBehindRouter(CLIENT_IP, ContainerPair.PREFIX_LENGTH, CLIENT_GATEWAY);
        Shell.inNamespace(10, ContainerPair.C1, "sysctl", "-qw", "net.ipv4.ip_local_port_range=" + CLIENT_PORT_RANGE)
            .require("ephemeral ports in " + ContainerPair.C1);
        for (final Backend backend : BACKENDS)
        {
            startNginx(backend, workDir, cleanup);
        }
    }

    private static void namespace(final String ns, final Cleanup cleanup)
    {
        Shell.run(10, "ip", "netns", "add", ns).require("ip netns add " + ns);
        cleanup.add("namespace " + ns, () ->
        {
            Shell.run(10, "/bin/sh", "-c", "ip netns pids " + ns + " | xargs -r kill -9");
            Shell.run(10, "ip", "netns", "del", ns);
        });
        // IPv6 off before any link arrives: a link moved in takes the namespace's defaults
        Shell.inNamespace(10, ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1").require("IPv6 off in " + ns);
        Shell.inNamespace(10, ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1").require("IPv6 off in " + ns);
        Shell.inNamespace(10, ns, "ip", "link", "set", "lo", "up").require("lo up in " + ns);
    }

    private static void startNginx(final Backend backend, final Path workDir, final Cleanup cleanup)
    {
        final Path dir = workDir.resolve("nginx-" + backend.namespace());
        final Path config = dir.resolve("nginx.conf");
        try
        {
            Files.createDirectories(dir.resolve("root"));
            Files.writeString(dir.resolve("root").resolve(BODY_FILE), backend.namespace() + "\n");
            Files.writeString(config, nginxConfig(dir));
        }
        catch (final IOException e)
        {
            throw new HarnessException("cannot write nginx's files into " + dir + ": " + e.getMessage(), e);
        }
        // -e: the error log before the config is read (else the system's /var/log/nginx/error.log); -p: relative paths under dir
        BackgroundProcess.start("nginx in " + backend.namespace(), List.of("ip", "netns", "exec", backend.namespace(),
                "nginx", "-e", dir.resolve("error.log").toString(), "-p", dir.toString(), "-c", config.toString()),
            Map.of(), dir.resolve("nginx.out"), cleanup);
    }

    /**
     * A private nginx serving {@code dir/root} on {@value #BACKEND_PORT}: one worker, in the foreground (the harness
     * owns the process), no access log, every path (pid, logs, temporary files) under {@code dir}, keep-alive
     * connections kept for as many requests as a test sends (nginx closes one after 1,000 by default). The workers
     * run as root: the run's work directory is private to root.
     */
    static String nginxConfig(final Path dir)
    {
        return "# written by wharf bench e2e\n" +
            "daemon off;\n" +
            "master_process on;\n" +
            "worker_processes 1;\n" +
            "user root;\n" +
            "pid " + dir.resolve("nginx.pid") + ";\n" +
            "error_log " + dir.resolve("error.log") + " warn;\n" +
            "events { worker_connections 4096; }\n" +
            "http {\n" +
            "    access_log off;\n" +
            "    keepalive_requests 100000000;\n" +
            "    client_body_temp_path " + dir.resolve("client_body") + ";\n" +
            "    proxy_temp_path " + dir.resolve("proxy") + ";\n" +
            "    fastcgi_temp_path " + dir.resolve("fastcgi") + ";\n" +
            "    uwsgi_temp_path " + dir.resolve("uwsgi") + ";\n" +
            "    scgi_temp_path " + dir.resolve("scgi") + ";\n" +
            "    server {\n" +
            "        listen " + BACKEND_PORT + " backlog=4096;\n" +
            "        root " + dir.resolve("root") + ";\n" +
            "        location / { index " + BODY_FILE + "; }\n" +
            "    }\n" +
            "}\n";
    }

    /**
     * Sends requests from c1 to the VIP until every backend has answered one (the balancer is in place and spreads
     * connections), at most {@code timeoutSeconds}; throws naming the backends that did answer.
     */
    static void awaitEveryBackend(final int timeoutSeconds)
    {
        final long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        final Set<String> seen = new TreeSet<>();
        String last = "";
        while (System.nanoTime() < deadline)
        {
            final Shell.Result get = Shell.inNamespace(5, ContainerPair.C1, "timeout", "3", "bash", "-c",
                "exec 3<>/dev/tcp/" + VIP + "/" + WEB_PORT + " && printf 'GET / HTTP/1.0\\r\\nHost: vip\\r\\n\\r\\n' >&3 && cat <&3");
            final String backend = answeringBackend(get.stdout());
            if (get.ok() && backend != null)
            {
                seen.add(backend);
                if (seen.size() == BACKENDS.size())
                {
                    return;
                }
            }
            else
            {
                last = (get.timedOut() || get.exitCode() == 124 ? "timed out" : "exit " + get.exitCode()) + " " + Shell.firstLine(get.stderr() + get.stdout());
                sleepMs(200);
            }
        }
        throw new HarnessException("c1 did not reach every backend through " + VIP + ":" + WEB_PORT + " within " + timeoutSeconds +
            " s: answered by " + (seen.isEmpty() ? "none" : String.join(", ", seen)) + (last.isEmpty() ? "" : "; last error: " + last));
    }

    /** The backend named in an HTTP answer of ours (a 200 whose body is the backend's namespace), or null. */
    static String answeringBackend(final String response)
    {
        if (!response.startsWith("HTTP/1.1 200") && !response.startsWith("HTTP/1.0 200"))
        {
            return null;
        }
        final int body = response.indexOf("\r\n\r\n");
        if (body < 0)
        {
            return null;
        }
        final String name = response.substring(body + 4).strip();
        for (final Backend backend : BACKENDS)
        {
            if (backend.namespace().equals(name))
            {
                return name;
            }
        }
        return null;
    }

    private static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted", e);
        }
    }
}
