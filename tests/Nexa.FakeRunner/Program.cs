using System.CommandLine;
using Nexa.FakeRunner;
using Nexa.Runner.Host;

// `Nexa.FakeRunner runner --model … --socket …`: the launcher's command line, served by the fake engine.
var root = new RootCommand("nexa's runner with a fake engine (tests only)")
{
    RunnerCommandLine.Create(Console.Error, FakeChatModel.LoadAsync),
};
return await root.Parse(args).InvokeAsync();
