package dev.wharf.control.cli;

import picocli.CommandLine.Command;

/** {@code wharf cluster}: groups the verbs of the cluster store (wharf daemon --cluster). */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = {"Show the cluster this daemon belongs to (wharf daemon --cluster etcd://HOST:PORT --underlay ADDRESS): the hosts",
        "registered in the store, and whether the store is reachable and how far this host has applied it. Overlay networks",
        "of a cluster are every host's; their endpoints and addresses are shared through the store."},
    subcommands = {ClusterHostsCommand.class, ClusterStatusCommand.class},
    footer = {"", "Example:", "  wharf cluster hosts", "  wharf cluster status"})
final class ClusterCommand extends GroupCommand
{
}
