using System.Text.Json.Nodes;
using CodexSharp.Core.Io;
using CodexSharp.Testing;
using YamlDotNet.Serialization;

namespace CodexSharp.Cli.Tests;

/// <summary>
/// deploy/k8s as far as it can be checked without a cluster: the manifests parse, the Indexed Job's completions match
/// the shards its command asks for, and its containers' commands, run here once per completion index with the
/// JOB_COMPLETION_INDEX Kubernetes sets, give shards that the merge Job's command merges into one machine's results.
/// </summary>
public sealed class KubernetesManifestTests : IDisposable
{
    private static readonly string Deploy = Path.Combine(TestPaths.RepoRoot, "deploy", "k8s");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static JsonNode Manifest(string name)
    {
        var yaml = new DeserializerBuilder().Build().Deserialize(new StringReader(File.ReadAllText(Path.Combine(Deploy, name))));
        return JsonNode.Parse(new SerializerBuilder().JsonCompatible().Build().Serialize(yaml!))!;
    }

    private static string Text(JsonNode? node) => node!.GetValue<string>();

    private static List<string> Args(JsonNode job) => job["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!.AsArray().Select(Text).ToList();

    [Fact]
    public void The_manifests_describe_an_indexed_job_over_a_shared_volume_and_a_merge_job()
    {
        var volume = Manifest("volume.yaml");
        var evaluate = Manifest("evaluate-job.yaml");
        var merge = Manifest("merge-job.yaml");
        Assert.Equal("ReadWriteMany", Text(volume["spec"]!["accessModes"]![0]));
        Assert.Equal("Indexed", Text(evaluate["spec"]!["completionMode"]));
        var args = Args(evaluate);
        Assert.Equal(Text(evaluate["spec"]!["completions"]), args[args.IndexOf("--shards") + 1]);
        Assert.NotNull(evaluate["spec"]!["parallelism"]);
        var security = evaluate["spec"]!["template"]!["spec"]!["containers"]![0]!["securityContext"]!;
        Assert.Equal("Unconfined", Text(security["seccompProfile"]!["type"]));
        Assert.Equal("Unmasked", Text(security["procMount"]));
        foreach (var job in new[] { evaluate, merge })
        {
            var pod = job["spec"]!["template"]!["spec"]!;
            Assert.Equal(Text(volume["metadata"]!["name"]), Text(pod["volumes"]![0]!["persistentVolumeClaim"]!["claimName"]));
            Assert.Equal("/data", Text(pod["containers"]![0]!["volumeMounts"]![0]!["mountPath"]));
            Assert.Equal("Never", Text(pod["restartPolicy"]));
        }
        Assert.Equal("merge", Args(merge)[0]);
    }

    [Fact]
    public async Task Each_completion_index_runs_its_shard_and_the_merge_job_equals_one_machine()
    {
        // The volume is a folder here: /data/samples.jsonl (each HumanEval task's canonical solution and a wrong one) and the problems.
        var data = _dir.Path;
        File.Copy(TestPaths.HumanEval, Path.Combine(data, "HumanEval.jsonl.gz"));
        Fixtures.WriteJsonl(Path.Combine(data, "samples.jsonl"), Fixtures.HumanEvalSolutions().SelectMany(p => new[]
        {
            Fixtures.Sample(p.TaskId, p.Canonical),
            Fixtures.Sample(p.TaskId, "    return None\n"),
        }));
        string[] Here(IEnumerable<string> args) => args.Select(a => a.Replace("/data", data)).ToArray();

        var evaluate = Manifest("evaluate-job.yaml");
        var count = int.Parse(Text(evaluate["spec"]!["completions"]));
        var shardArgs = Here(Args(evaluate)).ToList();
        shardArgs[shardArgs.IndexOf("--workers") + 1] = "2";
        for (var index = 0; index < count; index++)
        {
            var pod = await CodexSharpProcess.RunAsync(shardArgs, environment: new Dictionary<string, string?> { ["JOB_COMPLETION_INDEX"] = index.ToString() });
            Assert.True(pod.ExitCode == 0, pod.ToString());
            Assert.Contains($"shard {index}/{count} (from JOB_COMPLETION_INDEX={index} and --shards {count})", pod.StandardError);
        }
        var merge = await CodexSharpProcess.RunAsync([.. Here(Args(Manifest("merge-job.yaml"))), "--no-report"]);
        Assert.True(merge.ExitCode == 0, merge.ToString());

        var output = shardArgs[shardArgs.IndexOf("--output") + 1];
        var whole = Path.Combine(data, "whole.jsonl");
        var one = await CodexSharpProcess.RunAsync(["evaluate", Path.Combine(data, "samples.jsonl"), "--problems", Path.Combine(data, "HumanEval.jsonl.gz"), "--output", whole, "--workers", "2", "--no-report"]);
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(output));
        Assert.Equal(count, JsonNode.Parse(File.ReadAllText(OutputPaths.Config(output)))!["merged_from"]!.AsArray().Count);
    }
}
