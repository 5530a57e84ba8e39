package dev.wharf.lb;

import java.util.List;

/** A virtual service and its backends, in the order they were added, as listings show them. */
public record ServiceView(VirtualService service, List<BackendView> backends)
{
}
