return await Nexa.Bench.BenchCli.RunAsync(args);
