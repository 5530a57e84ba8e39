package dev.wharf.io;

import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The gate for tests that need root (namespaces, veths, AF_PACKET, /dev/net/tun): they skip when not
 * root, unless CI=true, where a missing capability must fail the build instead of hiding it.
 */
final class Privileges
{
    private Privileges()
    {
    }

    static boolean isRoot()
    {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    static void requireRoot()
    {
        if (isRoot())
        {
            return;
        }
        if ("true".equals(System.getenv("CI")))
        {
            fail("this test needs root (network namespaces, AF_PACKET, /dev/net/tun) and CI=true forbids skipping it");
        }
        Assumptions.assumeTrue(false, "needs root");
    }
}
