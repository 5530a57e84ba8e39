package dev.wharf.control.server;

import dev.wharf.io.HostRoutes;
import dev.wharf.io.PortException;

/**
 * What the control plane changes in the host kernel for host access: an interface's address and the
 * routes through it. The seam between {@link HostAccessController} and tap-io's {@link HostRoutes}, so
 * that tests run without touching the host.
 */
public interface HostKernel
{
    void assignAddress(String name, int address, int prefixLength) throws PortException;

    void addRoute(int subnet, int prefixLength, int gateway, String name) throws PortException;

    void deleteRoute(int subnet, int prefixLength, int gateway, String name) throws PortException;

    /** The real thing. */
    static HostKernel system()
    {
        return new HostKernel()
        {
            public void assignAddress(final String name, final int address, final int prefixLength) throws PortException
            {
                HostRoutes.assignAddress(name, address, prefixLength);
            }

            public void addRoute(final int subnet, final int prefixLength, final int gateway, final String name) throws PortException
            {
                HostRoutes.addRoute(subnet, prefixLength, gateway, name);
            }

            public void deleteRoute(final int subnet, final int prefixLength, final int gateway, final String name) throws PortException
            {
                HostRoutes.deleteRoute(subnet, prefixLength, gateway, name);
            }
        };
    }
}
