import { test, expect } from './webshell-fixture';

test.describe.serial('the console through the web shell', () => {
  test('loads and, on a fresh embedded backend, asks for the first account', async ({ page, webShell }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(webShell.pageUrl);
    await expect(page.getByRole('heading', { name: 'Set up the console' })).toBeVisible();
    // The token is taken out of the address bar once read.
    expect(page.url()).not.toContain(webShell.token);
    await page.screenshot({ path: 'test-results/screenshots/first-run-en.png' });
    await page.getByLabel('Your name').fill('Samia');
    await page.getByLabel('Email').fill('owner@samia.test');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create the administrator account' }).click();
    await expect(page.getByRole('heading', { name: 'Signed in as Samia' })).toBeVisible();
    await expect(page.getByTestId('signed-in-role')).toHaveText('Super admin');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await page.screenshot({ path: 'test-results/screenshots/sign-in-en.png' });
    expect(errors).toEqual([]);
  });

  test('makes a full round trip through the contract', async ({ page, webShell }) => {
    await page.goto(webShell.pageUrl);
    await page.getByRole('button', { name: 'Check connection' }).click();
    await expect(page.getByTestId('diagnostics-ok')).toContainText('Connected to the console process');
  });

  test('shows a typed, translated error when a request is refused, then signs in', async ({ page, webShell }) => {
    await page.goto(webShell.pageUrl);
    await page.getByLabel('Email').fill('owner@samia.test');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toHaveAttribute('data-error-code', 'auth.invalid_credentials');
    await expect(alert).toHaveText('The email or password is not right.');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { name: 'Signed in as Samia' })).toBeVisible();
  });

  test('answers a malformed request from the page with its typed error', async ({ page, webShell }) => {
    await page.goto(webShell.pageUrl);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    const answers = await page.evaluate(async (token) => {
      const ws = new WebSocket(`ws://${location.host}/bridge?token=${encodeURIComponent(token)}`);
      await new Promise((resolve) => ws.addEventListener('open', resolve, { once: true }));
      const ask = (frame: unknown) =>
        new Promise<unknown>((resolve) => {
          ws.addEventListener('message', (event) => resolve(JSON.parse(String(event.data))), { once: true });
          ws.send(JSON.stringify(frame));
        });
      const results = [
        await ask({ kind: 'request', id: 1, name: 'app.ping', input: { text: 42 } }),
        await ask({ kind: 'request', id: 2, name: 'auth.signIn', input: { email: 'not-an-email', password: '' } }),
        await ask({ kind: 'request', id: 3, name: 'process.exit', input: {} }),
        await ask({ kind: 'request', id: 4, name: 'app.ping', input: { text: 'alive' } }),
      ];
      ws.close();
      return results;
    }, webShell.token);
    expect(answers[0]).toMatchObject({ id: 1, result: { ok: false, error: { code: 'ipc.invalid_input' } } });
    expect(answers[1]).toMatchObject({ id: 2, result: { ok: false, error: { code: 'ipc.invalid_input' } } });
    expect(answers[2]).toMatchObject({ id: 3, result: { ok: false, error: { code: 'ipc.unknown_request' } } });
    expect(answers[3]).toMatchObject({ id: 4, result: { ok: true, value: { text: 'alive' } } });
  });

  test('refuses the bridge to a page without the token', async ({ page, webShell }) => {
    await page.goto(webShell.url);
    await expect(page.getByRole('alert')).toBeVisible();
    const status = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/bridge`);
          ws.addEventListener('open', () => resolve('open'));
          ws.addEventListener('close', (event) => resolve(`closed:${event.code}`));
        }),
    );
    expect(status).toBe('closed:1006');
  });

  test('lays the console out right to left in Arabic', async ({ page, webShell }) => {
    await page.goto(webShell.pageUrl);
    await page.getByRole('combobox').selectOption('ar');
    await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
    await expect(page.getByRole('heading', { name: 'تسجيل الدخول' })).toBeVisible();
    await expect(page.getByLabel('البريد الإلكتروني')).toBeVisible();
    // Right to left means the layout mirrors: the title sits on the right of the header.
    const header = await page.locator('.app-header').boundingBox();
    const title = await page.locator('.app-title').boundingBox();
    expect(title!.x + title!.width).toBeGreaterThan(header!.x + header!.width * 0.6);
    await page.screenshot({ path: 'test-results/screenshots/sign-in-ar.png' });
  });
});
