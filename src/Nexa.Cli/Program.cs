return await Nexa.Cli.NexaCli.RunAsync(args);
