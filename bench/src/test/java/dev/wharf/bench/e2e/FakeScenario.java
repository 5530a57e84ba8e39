package dev.wharf.bench.e2e;

import java.nio.file.Path;
import java.util.List;

/** A scenario that sets nothing up, for the tests of what the harness does with results. */
record FakeScenario(String id, Kind kind, boolean isSubject, boolean kernel) implements Scenario
{
    static FakeScenario anchor(final String id, final Kind kind)
    {
        return new FakeScenario(id, kind, false, true);
    }

    static FakeScenario subject(final String id, final Kind kind)
    {
        return new FakeScenario(id, kind, true, false);
    }

    @Override
    public String description()
    {
        return "fake " + id;
    }

    @Override
    public String unavailableReason()
    {
        return null;
    }

    @Override
    public void setUp(final ContainerPair containers, final Path workDir, final Cleanup cleanup)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<ProcessHandle> switchProcesses()
    {
        return kernel ? List.of() : List.of(ProcessHandle.current());
    }
}
