namespace RdsPlatform.Cli.Infrastructure;

/// <summary>
/// A minimal container for Spectre.Console.Cli: registered instances and factories, and constructor injection
/// for commands (the greediest public constructor whose parameters are all known).
/// </summary>
internal sealed class TypeRegistrar : ITypeRegistrar, ITypeResolver
{
    private readonly Dictionary<Type, List<Func<object>>> _factories = [];

    public void Register(Type service, Type implementation) => Add(service, () => Create(implementation));

    public void RegisterInstance(Type service, object implementation) => Add(service, () => implementation);

    public void RegisterLazy(Type service, Func<object> factory)
    {
        var lazy = new Lazy<object>(factory);
        Add(service, () => lazy.Value);
    }

    public ITypeResolver Build() => this;

    public object? Resolve(Type? type)
    {
        if (type is null)
        {
            return null;
        }

        if (_factories.TryGetValue(type, out var factories))
        {
            return factories[^1]();
        }

        // Spectre asks for every registration of a service (help providers) as IEnumerable<T>.
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>))
        {
            var element = type.GetGenericArguments()[0];
            var all = _factories.TryGetValue(element, out var registered) ? registered.Select(f => f()).ToArray() : [];
            var array = Array.CreateInstance(element, all.Length);
            Array.Copy(all, array, all.Length);
            return array;
        }

        return type.IsAbstract || type.IsInterface ? null : Create(type);
    }

    private void Add(Type service, Func<object> factory)
    {
        if (!_factories.TryGetValue(service, out var list))
        {
            _factories[service] = list = [];
        }

        list.Add(factory);
    }

    private object Create(Type type)
    {
        foreach (var constructor in type.GetConstructors().OrderByDescending(c => c.GetParameters().Length))
        {
            var parameters = constructor.GetParameters();
            var arguments = new object?[parameters.Length];
            var resolved = true;
            for (var i = 0; i < parameters.Length && resolved; i++)
            {
                arguments[i] = Resolve(parameters[i].ParameterType);
                resolved = arguments[i] is not null;
            }

            if (resolved)
            {
                return constructor.Invoke(arguments);
            }
        }

        throw new InvalidOperationException($"rdslic cannot create {type.Name}: none of its constructors can be satisfied.");
    }
}
