// Namespaces the whole CLI uses: command descriptions, Spectre's command model, the CLI's own infrastructure.
global using System.ComponentModel;
global using Spectre.Console.Cli;
global using RdsPlatform.Cli.Infrastructure;
