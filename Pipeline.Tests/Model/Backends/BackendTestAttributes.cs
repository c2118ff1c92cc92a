using Xunit.Abstractions;
using Xunit.Sdk;

namespace CatsDogs.Tests.Model.Backends;

/// <summary>
/// On a subclass of a backend-neutral suite: <see cref="Reason"/> says why its backend cannot run
/// here (no compiler, say), or is null when it can. The suite's tests are then skipped, with the
/// reason, in that subclass alone.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public abstract class BackendUnavailableAttribute : Attribute
{
    public abstract string? Reason { get; }
}

/// <summary>A fact of a backend-neutral suite (<see cref="BackendTestDiscoverer"/>).</summary>
[XunitTestCaseDiscoverer("CatsDogs.Tests.Model.Backends.BackendTestDiscoverer", "Pipeline.Tests")]
public sealed class BackendFactAttribute : FactAttribute;

/// <summary>A theory of a backend-neutral suite (<see cref="BackendTestDiscoverer"/>).</summary>
[XunitTestCaseDiscoverer("CatsDogs.Tests.Model.Backends.BackendTestDiscoverer", "Pipeline.Tests")]
public sealed class BackendTheoryAttribute : TheoryAttribute;

/// <summary>
/// Finds a suite's facts and theories as xunit does, except in a subclass whose
/// <see cref="BackendUnavailableAttribute"/> gives a reason: there each is one skipped test saying
/// it. A test method's own attribute cannot do this, as every subclass inherits the same one.
/// </summary>
public sealed class BackendTestDiscoverer(IMessageSink diagnostics) : IXunitTestCaseDiscoverer
{
    private readonly FactDiscoverer _facts = new(diagnostics);
    private readonly TheoryDiscoverer _theories = new(diagnostics);

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var suite = testMethod.TestClass.Class.ToRuntimeType();
        if (suite.GetCustomAttributes(typeof(BackendUnavailableAttribute), inherit: true) is [BackendUnavailableAttribute { Reason: { } reason }])
        {
            return [new XunitSkippedDataRowTestCase(diagnostics, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)];
        }

        return factAttribute is IReflectionAttributeInfo { Attribute: TheoryAttribute }
            ? _theories.Discover(discoveryOptions, testMethod, factAttribute)
            : _facts.Discover(discoveryOptions, testMethod, factAttribute);
    }
}
