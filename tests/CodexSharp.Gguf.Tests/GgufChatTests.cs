using CodexSharp.Core;
using CodexSharp.Core.Generation;
using CodexSharp.Generation.Chat;
using CodexSharp.Model.Modeling;
using CodexSharp.Testing;

namespace CodexSharp.Gguf.Tests;

/// <summary>gguf-chat:PATH: the file's chat template lays out the conversation, and the chat backend cuts the body out of the reply.</summary>
public sealed class GgufChatTests
{
    /// <summary>ChatML, as Qwen2.5-Coder's files store it (llama.cpp recognises it by its tokens).</summary>
    public const string ChatMl =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    [Fact]
    public async Task The_files_template_lays_out_the_conversation_and_seeded_replies_are_repeatable()
    {
        using var dir = new TempDir();
        using (var model = GptModel.CreateRandom(GptPresets.Tiny, seed: 3)) GgufExport.Export(model, "chat", dir.File("chat.gguf"), "f32", ChatMl);
        var spec = ModelSpec.Parse("gguf-chat:" + dir.File("chat.gguf"));
        Assert.Equal(ModelSpecKind.GgufChat, spec.Kind);

        using (var generator = GgufModelGenerator.Load(spec))
        {
            Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nAdd a and b.<|im_end|>\n<|im_start|>assistant\n",
                generator.Model.ApplyChatTemplate([("system", "Be brief."), ("user", "Add a and b.")]));
        }

        var request = new CompletionRequest("def add(a, b):\n    \"\"\"Return a + b.\"\"\"\n", 2, new SamplingOptions { Temperature = 0.8, MaxTokens = 12, Seed = 5 });
        async Task<List<string?>> Replies()
        {
            using var chat = GgufChatClient.CodeGenerator(spec, new GgufOptions(), new ChatGeneratorOptions { Model = "x", MinReplyTokens = 12 });
            return (await chat.GenerateAsync(request)).Select(c => c.RawText).ToList();
        }
        var first = await Replies();
        Assert.Equal(2, first.Count);
        Assert.All(first, r => Assert.NotNull(r));
        Assert.Equal(first, await Replies());
    }

    [Fact]
    public void A_file_without_a_chat_template_is_refused_for_the_chat_path()
    {
        using var dir = new TempDir();
        using (var model = GptModel.CreateRandom(GptPresets.Tiny, seed: 3)) GgufExport.Export(model, "base", dir.File("base.gguf"), "f16");
        using var generator = GgufModelGenerator.Load(ModelSpec.Parse("gguf-chat:" + dir.File("base.gguf")));
        var error = Assert.Throws<UserInputException>(() => generator.Model.ApplyChatTemplate([("user", "hi")]));
        Assert.Contains("has no chat template (tokenizer.chat_template)", error.Message);
    }
}
