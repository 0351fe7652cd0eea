// Namespaces the whole reporting service uses: its own contract's.
global using RdsPlatform.Contracts.Reporting.V1;
