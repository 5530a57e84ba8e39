package dev.wharf.control.server;

/** A named dataplane counter ({@code node.error}) summed over workers. */
public record NamedCounter(String name, long value)
{
}
