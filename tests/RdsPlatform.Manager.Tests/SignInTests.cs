using Microsoft.Playwright;

namespace RdsPlatform.Manager.Tests;

[Collection(ManagerCollection.Name)]
public sealed class SignInTests(ManagerTopology topology)
{
    [Fact]
    public async Task AWrongKeyGetsTheServicesSentenceAndTheRightKeySignsIn()
    {
        var page = await topology.NewPageAsync();
        await page.GotoAsync("");
        Assert.EndsWith("/signin?ReturnUrl=%2F", page.Url, StringComparison.OrdinalIgnoreCase);

        await page.GetByLabel("API key").FillAsync("not-a-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var refusal = page.Locator("#api-key-error");
        await Assertions.Expect(refusal).ToContainTextAsync("key");
        Assert.DoesNotContain("not-a-key", await page.ContentAsync());

        await page.GetByLabel("API key").FillAsync(TestKeys.Admin);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 }).WaitForAsync();
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == Extensions.CookieName);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.DoesNotContain(TestKeys.Admin, cookie.Value);
        Assert.DoesNotContain(TestKeys.Admin, await page.ContentAsync());
        await page.ScreenshotAsync(new() { Animations = ScreenshotAnimations.Disabled, Path = Screenshots.PathOf("overview"), FullPage = true });
    }

    [Fact]
    public async Task SigningOutEndsTheSessionAndPagesAskForAKeyAgain()
    {
        var page = await topology.SignedInPageAsync(TestKeys.Reporter);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GetByLabel("API key").WaitForAsync();
        await page.GotoAsync("cals");

        Assert.Contains("/signin", page.Url, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == Extensions.CookieName);
    }
}

/// <summary>Everything is reachable with the keyboard: signing in and moving between pages without a mouse.</summary>
[Collection(ManagerCollection.Name)]
public sealed class KeyboardTests(ManagerTopology topology)
{
    [Fact]
    public async Task TheKeyboardAloneSignsInAndOpensAnotherPage()
    {
        var page = await topology.NewPageAsync();
        await page.GotoAsync("signin");

        await TabUntilAsync(page, "document.activeElement.id === 'api-key'");
        await page.Keyboard.TypeAsync(TestKeys.Reporter);
        await page.Keyboard.PressAsync("Enter");
        await page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 }).WaitForAsync();
        await ManagerTopology.WaitForInteractivityAsync(page);
        await TabUntilAsync(page, "document.activeElement.tagName === 'A' && document.activeElement.textContent.trim().endsWith('Reports')");
        await page.Keyboard.PressAsync("Enter");

        await page.GetByRole(AriaRole.Heading, new() { Name = "Reports", Level = 1 }).WaitForAsync();
        await TabUntilAsync(page, "document.activeElement.textContent.trim().endsWith('Generate')");
    }

    private static async Task TabUntilAsync(IPage page, string focusedCondition)
    {
        for (var presses = 0; presses < 60; presses++)
        {
            if (await page.EvaluateAsync<bool>($"() => {focusedCondition}"))
            {
                return;
            }

            await page.Keyboard.PressAsync("Tab");
        }

        Assert.Fail($"Sixty presses of Tab never focused the element where {focusedCondition}.");
    }
}
