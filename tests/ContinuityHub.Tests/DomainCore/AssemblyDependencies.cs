using System.Reflection;
using System.Reflection.Emit;

namespace ContinuityHub.Tests.DomainCore;

/// <summary>
/// What the hub's compiled code refers to, read from the assembly itself (no Roslyn): each type's base type,
/// interfaces, fields, properties, method signatures, local variables and every type, method and field its IL
/// names — so a fully qualified name or a lambda counts as much as a <c>using</c>. Compiler-generated types
/// (lambdas' closures, async state machines) count for the type they were written in.
/// </summary>
public static class AssemblyDependencies
{
    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic
                                          | BindingFlags.Instance | BindingFlags.Static;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The "component" of a type: <c>Features.Releases</c> for anything under ContinuityHub.Features.Releases, <c>Data</c>, <c>Domain</c>…</summary>
    public static string? ComponentOf(Type type, Assembly hub)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        if (type.Assembly != hub || type.Namespace is not { } ns || !ns.StartsWith("ContinuityHub", StringComparison.Ordinal)) return null;
        var parts = ns.Split('.');
        if (parts.Length == 1) return "(root)";
        return parts[1] is "Features" or "Pages" && parts.Length > 2 ? $"{parts[1]}.{parts[2]}" : parts[1];
    }

    /// <summary>Each component of the hub's assembly, with the components it refers to and one example of each reference.</summary>
    public static Dictionary<string, Dictionary<string, string>> Of(Assembly hub)
    {
        var graph = new Dictionary<string, Dictionary<string, string>>();
        foreach (var type in LoadableTypes(hub))
        {
            if (ComponentOf(type, hub) is not { } from) continue;
            var edges = graph.TryGetValue(from, out var e) ? e : graph[from] = new Dictionary<string, string>();
            foreach (var referenced in ReferencedTypes(type))
            {
                if (ComponentOf(referenced, hub) is not { } to || to == from) continue;
                edges.TryAdd(to, $"{type.FullName} → {referenced.FullName}");
            }
        }
        return graph;
    }

    /// <summary>Every method and constructor of the assembly with its IL, and the type it was written in (a closure's or state machine's outer type).</summary>
    public static IEnumerable<(Type WrittenIn, MethodBase Method, MethodBody Body)> MethodBodies(Assembly assembly)
    {
        foreach (var type in LoadableTypes(assembly))
        {
            var writtenIn = type;
            while (writtenIn.DeclaringType is not null) writtenIn = writtenIn.DeclaringType;
            foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
            {
                MethodBody? body;
                try { body = method.GetMethodBody(); } catch (Exception) { continue; }
                if (body is not null) yield return (writtenIn, method, body);
            }
        }
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try { return assembly.GetTypes(); }
        catch (ReflectionTypeLoadException e) { return e.Types.OfType<Type>(); }
    }

    private static IEnumerable<Type> ReferencedTypes(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null) return;
            if (t.HasElementType) { Add(t.GetElementType()); return; }
            if (t.IsGenericParameter) return;
            if (!found.Add(t)) return;
            if (t.IsGenericType) foreach (var argument in t.GetGenericArguments()) Add(argument);
        }

        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var field in type.GetFields(Declared)) Add(field.FieldType);
        foreach (var property in type.GetProperties(Declared)) Add(property.PropertyType);
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info) Add(info.ReturnType);
            foreach (var parameter in method.GetParameters()) Add(parameter.ParameterType);
            MethodBody? body;
            try { body = method.GetMethodBody(); } catch (Exception) { continue; }
            if (body is null) continue;
            foreach (var local in body.LocalVariables) Add(local.LocalType);
            foreach (var (_, member) in MembersNamedIn(method, body)) Add(member is Type t ? t : member.DeclaringType);
        }
        return found;
    }

    /// <summary>The types, methods and fields that the method's IL names (calls, field access, newobj, typeof, casts…), with the instruction naming each.</summary>
    public static IEnumerable<(OpCode OpCode, MemberInfo Member)> MembersNamedIn(MethodBase method, MethodBody body)
    {
        var il = body.GetILAsByteArray() ?? [];
        var typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var members = new List<(OpCode, MemberInfo)>();
        for (var i = 0; i < il.Length;)
        {
            short value = il[i++];
            if (value == 0xFE) value = unchecked((short)(0xFE00 | il[i++]));
            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    var token = BitConverter.ToInt32(il, i);
                    try
                    {
                        if (method.Module.ResolveMember(token, typeArguments, methodArguments) is { } member) members.Add((opCode, member));
                    }
                    catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException) { }
                    i += 4;
                    break;
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: i += 1; break;
                case OperandType.InlineVar: i += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: i += 8; break;
                case OperandType.InlineSwitch: i += 4 + 4 * BitConverter.ToInt32(il, i); break;
                default: i += 4; break;
            }
        }
        return members;
    }

    /// <summary>The cycles of the graph restricted to <paramref name="nodes"/>, each as "A → B → A".</summary>
    public static List<string> Cycles(Dictionary<string, Dictionary<string, string>> graph, Func<string, bool> nodes)
    {
        // Tarjan's strongly connected components: every component of more than one node holds a cycle.
        var index = 0;
        var indices = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var cycles = new List<string>();
        IEnumerable<string> Next(string n) => graph.TryGetValue(n, out var e) ? e.Keys.Where(nodes) : [];

        void Visit(string n)
        {
            indices[n] = low[n] = index++;
            stack.Push(n);
            onStack.Add(n);
            foreach (var m in Next(n))
            {
                if (!indices.ContainsKey(m)) { Visit(m); low[n] = Math.Min(low[n], low[m]); }
                else if (onStack.Contains(m)) low[n] = Math.Min(low[n], indices[m]);
            }
            if (low[n] != indices[n]) return;
            var members = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); members.Add(x); } while (x != n);
            if (members.Count > 1)
                cycles.Add(string.Join(", ", members.OrderBy(m => m, StringComparer.Ordinal).Select(m =>
                    $"{m} → [{string.Join("; ", graph[m].Where(e => members.Contains(e.Key)).Select(e => $"{e.Key} ({e.Value})"))}]")));
        }

        foreach (var n in graph.Keys.Where(nodes).OrderBy(k => k, StringComparer.Ordinal))
            if (!indices.ContainsKey(n)) Visit(n);
        return cycles;
    }
}
