package dev.wharf.control.server;

/** A named dataplane counter ({@code node.error}) summed over workers; {@code drop} when it is a drop reason, not an event. */
public record NamedCounter(String name, long value, boolean drop)
{
}
