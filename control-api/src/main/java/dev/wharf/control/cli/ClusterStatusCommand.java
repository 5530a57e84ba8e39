package dev.wharf.control.cli;

import dev.wharf.control.api.v1.ClusterStatusRequest;
import dev.wharf.control.api.v1.ClusterStatusResponse;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Instant;

/** {@code wharf cluster status}: this daemon's view of the cluster store. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {"Show whether the cluster store is reachable (and why not), this host's lease, the store revision applied here and",
        "the lag behind the newest, what was programmed from the store, and problems this host cannot fix by itself."},
    footer = {"", "Example:", "  wharf cluster status", "  wharf cluster status --json | jq -r .state"})
final class ClusterStatusCommand extends ClientCommand
{
    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    protected void run(final WharfClient client)
    {
        final ClusterStatusResponse status = client.cluster().status(ClusterStatusRequest.getDefaultInstance());
        if (json)
        {
            Json.print(out(), status);
            return;
        }
        final PrintWriter out = out();
        if (!status.getClustered())
        {
            out.println("not in a cluster: a single host, its state in its own state file (start the daemon with --cluster etcd://HOST:PORT)");
            out.flush();
            return;
        }
        out.printf("store:            %s (prefix %s)%n", status.getStore(), status.getPrefix());
        out.printf("state:            %s since %s%s%n", status.getState(), Instant.ofEpochMilli(status.getStateSinceUnixMs()),
            status.getReason().isEmpty() ? "" : ": " + status.getReason());
        out.printf("host:             %s, lease %s (TTL %d s)%n", status.getHost(), status.getLease().isEmpty() ? "none" : status.getLease(),
            status.getLeaseTtlSeconds());
        out.printf("revision:         %d applied, %d seen (lag %d), %d full read(s)%n", status.getAppliedRevision(), status.getStoreRevision(),
            Math.max(0, status.getStoreRevision() - status.getAppliedRevision()), status.getResyncs());
        out.printf("hosts:            %d%n", status.getHosts());
        out.printf("networks:         %d overlay network(s) of the cluster here%n", status.getNetworks());
        out.printf("endpoints:        %d of this host written, %d of other hosts programmed%n", status.getLocalEndpoints(),
            status.getRemoteEndpoints());
        for (final String problem : status.getProblemsList())
        {
            out.printf("problem:          %s%n", problem);
        }
        out.flush();
    }
}
