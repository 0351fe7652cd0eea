// Namespaces the whole license server uses: the licensing core's rules and the server's own store.
global using RdsPlatform.Licensing;
global using RdsPlatform.LicenseServer.Storage;
