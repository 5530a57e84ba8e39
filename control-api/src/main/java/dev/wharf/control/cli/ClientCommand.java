package dev.wharf.control.cli;

import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * A command that calls the daemon: opens a {@link WharfClient} on the socket (or TCP listener) the
 * command line names, runs, and closes it. Failures propagate to {@link ErrorHandler}. Main thread.
 */
abstract class ClientCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception
    {
        try (WharfClient client = WharfMain.connect(spec.commandLine()))
        {
            run(client);
        }
        return ExitCodes.OK;
    }

    protected abstract void run(WharfClient client) throws Exception;

    protected PrintWriter out()
    {
        return spec.commandLine().getOut();
    }

    protected void println(final String line)
    {
        final PrintWriter out = out();
        out.println(line);
        out.flush();
    }
}
