import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { StorageApiError } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, engines, signJwt, startHarness, unsignedJwt, type Harness } from './harness';

// /storage/v1 through the real storage-js. A test bucket with simple policies (a user's own folder) shows the
// mechanics; the migrations' chat-files bucket shows their policies refusing a path the user may not use.

const FIXTURES = `
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('t-files', 't-files', false, 1000, array['image/png', 'text/plain', 'application/octet-stream']);
create policy t_files_insert on storage.objects for insert to authenticated
  with check (bucket_id = 't-files' and (storage.foldername(name))[1] = (select auth.uid())::text);
create policy t_files_select on storage.objects for select to authenticated
  using (bucket_id = 't-files' and owner_id = (select auth.uid())::text);
create policy t_files_update on storage.objects for update to authenticated
  using (bucket_id = 't-files' and owner_id = (select auth.uid())::text)
  with check (bucket_id = 't-files' and owner_id = (select auth.uid())::text);
create policy t_files_delete on storage.objects for delete to authenticated
  using (bucket_id = 't-files' and owner_id = (select auth.uid())::text);
-- Fails at commit, after the row was written and the bytes moved into place.
create function public.t_fail_at_commit() returns trigger language plpgsql as $$
begin raise exception 'refused at commit'; end $$;
create constraint trigger t_fail_at_commit after insert on storage.objects deferrable initially deferred
  for each row when (new.name like '%fail-at-commit%') execute function public.t_fail_at_commit();
`;

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) % 256);

describe.each(engines)('local Storage on %s', (engine) => {
  let h: Harness;
  let alice: Awaited<ReturnType<Harness['signUp']>>;
  let bob: Awaited<ReturnType<Harness['signUp']>>;

  beforeAll(async () => {
    h = await startHarness(engine);
    await h.exec(FIXTURES);
    alice = await h.signUp('alice');
    bob = await h.signUp('bob');
  });
  afterAll(() => h?.close());

  const objectFiles = () => {
    const dir = path.join(h.storageDir, 'objects', 't-files');
    return existsSync(dir) ? readdirSync(dir) : [];
  };
  const stagingFiles = () => {
    const dir = path.join(h.storageDir, 'staging');
    return existsSync(dir) ? readdirSync(dir) : [];
  };
  const objectUrl = (name: string) => `${h.url}/storage/v1/object/authenticated/t-files/${name}`;

  it('uploads a Blob as multipart and a Buffer as a raw body, under the caller’s rights', async () => {
    const name = `${alice.userId}/photo-${randomUUID()}.png`;
    const up = await alice.client.storage.from('t-files').upload(name, new Blob([bytes(300)], { type: 'image/png' }));
    expect(up.error).toBeNull();
    expect(up.data).toMatchObject({ path: name, fullPath: `t-files/${name}` });
    const [row] = await h.sql<{ owner_id: string; metadata: Record<string, unknown>; version: string }>(
      `select owner_id, metadata, version from storage.objects where bucket_id = 't-files' and name = $1`,
      [name],
    );
    expect(row!.owner_id).toBe(alice.userId);
    expect(row!.metadata).toMatchObject({ size: 300, mimetype: 'image/png', cacheControl: 'max-age=3600' });
    expect(objectFiles()).toContain(row!.version);

    const raw = `${alice.userId}/note-${randomUUID()}.txt`;
    const text = await alice.client.storage.from('t-files').upload(raw, Buffer.from('hello, storage'), { contentType: 'text/plain', cacheControl: '60' });
    expect(text.error).toBeNull();
    const got = await alice.client.storage.from('t-files').download(raw);
    expect(await got.data!.text()).toBe('hello, storage');
    expect(got.data!.type).toBe('text/plain');
    expect(stagingFiles()).toEqual([]);
  });

  it('refuses a second upload to a name (409 Duplicate) unless upsert, which replaces the bytes', async () => {
    const name = `${alice.userId}/dup-${randomUUID()}.png`;
    const bucket = alice.client.storage.from('t-files');
    expect((await bucket.upload(name, new Blob([bytes(10)], { type: 'image/png' }))).error).toBeNull();
    const again = await bucket.upload(name, new Blob([bytes(10, 2)], { type: 'image/png' }));
    expect(again.error).toBeInstanceOf(StorageApiError);
    expect(again.error).toMatchObject({ status: 400, statusCode: '409', message: 'The resource already exists' });
    const [before] = await h.sql<{ version: string }>(`select version from storage.objects where name = $1`, [name]);
    const upsert = await bucket.upload(name, new Blob([bytes(20, 3)], { type: 'image/png' }), { upsert: true });
    expect(upsert.error).toBeNull();
    const downloaded = new Uint8Array(await (await bucket.download(name)).data!.arrayBuffer());
    expect(downloaded).toEqual(bytes(20, 3));
    expect(objectFiles()).not.toContain(before!.version);
  });

  it('applies the bucket’s size limit (413) and allowed types (415), as Storage does', async () => {
    const bucket = alice.client.storage.from('t-files');
    const tooBig = await bucket.upload(`${alice.userId}/big.png`, new Blob([bytes(1001)], { type: 'image/png' }));
    expect(tooBig.error).toMatchObject({ status: 400, statusCode: '413', message: 'The object exceeded the maximum allowed size' });
    const tooBigRaw = await bucket.upload(`${alice.userId}/big.bin`, Buffer.from(bytes(5000)), { contentType: 'application/octet-stream' });
    expect(tooBigRaw.error).toMatchObject({ statusCode: '413' });
    const gif = await bucket.upload(`${alice.userId}/a.gif`, new Blob([bytes(10)], { type: 'image/gif' }));
    expect(gif.error).toMatchObject({ status: 400, statusCode: '415', message: 'mime type image/gif is not supported' });
    // storage-js's default type for a raw body carries a charset, which Storage compares as it is.
    const charset = await bucket.upload(`${alice.userId}/a.txt`, Buffer.from('x'));
    expect(charset.error).toMatchObject({ statusCode: '415', message: 'mime type text/plain;charset=UTF-8 is not supported' });
    expect(await h.sql(`select 1 from storage.objects where name like $1`, [`${alice.userId}/big%`])).toHaveLength(0);
  });

  it('refuses a path the policies forbid with 403 Unauthorized, and leaves no bytes behind', async () => {
    const before = objectFiles().length;
    const other = await alice.client.storage.from('t-files').upload(`${bob.userId}/intruder.png`, new Blob([bytes(10)], { type: 'image/png' }));
    expect(other.error).toMatchObject({ status: 400, statusCode: '403', message: 'new row violates row-level security policy' });
    const anon = await h.client().storage.from('t-files').upload(`${alice.userId}/anon.png`, new Blob([bytes(10)], { type: 'image/png' }));
    expect(anon.error).toMatchObject({ statusCode: '403' });
    // The migrations' chat-files bucket: a session the user does not take part in.
    const chat = await alice.client.storage.from('chat-files').upload(`${randomUUID()}/${randomUUID()}/voice.webm`, new Blob([bytes(10)], { type: 'audio/webm' }));
    expect(chat.error).toMatchObject({ statusCode: '403' });
    expect(objectFiles().length).toBe(before);
    expect(stagingFiles()).toEqual([]);
  });

  it('removes the bytes when the transaction fails at commit, after they were moved into place', async () => {
    const before = objectFiles().length;
    const res = await alice.client.storage.from('t-files').upload(`${alice.userId}/fail-at-commit.png`, new Blob([bytes(10)], { type: 'image/png' }));
    expect(res.error).toMatchObject({ statusCode: '500' });
    expect(objectFiles().length).toBe(before);
    expect(stagingFiles()).toEqual([]);
  });

  it('downloads only what the caller may read, with the same 404 for missing and forbidden', async () => {
    const name = `${alice.userId}/private-${randomUUID()}.png`;
    await alice.client.storage.from('t-files').upload(name, new Blob([bytes(50)], { type: 'image/png' }));
    for (const client of [bob.client, h.client()]) {
      const res = await client.storage.from('t-files').download(name);
      expect(res.error).toMatchObject({ status: 400, statusCode: '404', message: 'Object not found' });
    }
    const missing = await alice.client.storage.from('t-files').download(`${alice.userId}/never-uploaded.png`);
    expect(missing.error).toMatchObject({ statusCode: '404', message: 'Object not found' });
    const bucket = await alice.client.storage.from('no-such-bucket').download('x.png');
    expect(bucket.error).toMatchObject({ statusCode: '404' });
  });

  it('serves byte ranges (206, Content-Range) and refuses an unsatisfiable one (416)', async () => {
    const name = `${alice.userId}/range-${randomUUID()}.png`;
    const content = bytes(100);
    await alice.client.storage.from('t-files').upload(name, new Blob([content], { type: 'image/png' }));
    const auth = { apikey: h.anonKey, Authorization: `Bearer ${alice.accessToken}` };
    const part = await fetch(objectUrl(name), { headers: { ...auth, Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 10-19/100');
    expect(part.headers.get('accept-ranges')).toBe('bytes');
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(content.slice(10, 20));
    const tail = await fetch(objectUrl(name), { headers: { ...auth, Range: 'bytes=-5' } });
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(content.slice(95));
    const open = await fetch(objectUrl(name), { headers: { ...auth, Range: 'bytes=90-' } });
    expect(open.headers.get('content-range')).toBe('bytes 90-99/100');
    const bad = await fetch(objectUrl(name), { headers: { ...auth, Range: 'bytes=200-300' } });
    expect(bad.status).toBe(416);
    expect(await bad.json()).toMatchObject({ statusCode: '416', error: 'invalid_range' });
    const whole = await fetch(objectUrl(name), { headers: auth });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe('100');
    expect(whole.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('signs URLs for readers only; a signed URL needs no other credential and fits only its object', async () => {
    const name = `${alice.userId}/signed-${randomUUID()}.png`;
    const other = `${alice.userId}/other-${randomUUID()}.png`;
    const bucket = alice.client.storage.from('t-files');
    await bucket.upload(name, new Blob([bytes(40)], { type: 'image/png' }));
    await bucket.upload(other, new Blob([bytes(40, 9)], { type: 'image/png' }));
    const signed = await bucket.createSignedUrl(name, 60);
    expect(signed.error).toBeNull();
    expect(signed.data!.signedUrl.startsWith(`${h.url}/storage/v1/object/sign/t-files/`)).toBe(true);
    const res = await fetch(signed.data!.signedUrl);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes(40));

    const token = new URL(signed.data!.signedUrl).searchParams.get('token')!;
    const elsewhere = await fetch(`${h.url}/storage/v1/object/sign/t-files/${other}?token=${token}`);
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.json()).toMatchObject({ statusCode: '400', error: 'InvalidSignature' });
    const tampered = await fetch(`${h.url}/storage/v1/object/sign/t-files/${name}?token=${token.slice(0, -3)}abc`);
    expect(await tampered.json()).toMatchObject({ statusCode: '400', error: 'InvalidJWT' });
    const now = Math.floor(Date.now() / 1000);
    const expired = signJwt({ url: `t-files/${name}`, scope: 'download', iat: now - 100, exp: now - 1 }, h.jwtSecret);
    expect(await (await fetch(`${h.url}/storage/v1/object/sign/t-files/${name}?token=${expired}`)).json()).toMatchObject({ error: 'InvalidJWT' });

    expect((await bob.client.storage.from('t-files').createSignedUrl(name, 60)).error).toMatchObject({ statusCode: '404' });
    const many = await bucket.createSignedUrls([name, `${bob.userId}/nothing.png`], 60);
    expect(many.data![0]!.signedUrl).toEqual(expect.stringContaining('token='));
    expect(many.data![1]).toMatchObject({ signedUrl: null, error: 'Either the object does not exist or you do not have access to it' });
  });

  it('removes only what the delete policy allows, and the bytes with the row', async () => {
    const name = `${alice.userId}/remove-${randomUUID()}.png`;
    await alice.client.storage.from('t-files').upload(name, new Blob([bytes(30)], { type: 'image/png' }));
    const [row] = await h.sql<{ version: string }>(`select version from storage.objects where name = $1`, [name]);
    const notHis = await bob.client.storage.from('t-files').remove([name]);
    expect(notHis).toMatchObject({ error: null, data: [] });
    expect(objectFiles()).toContain(row!.version);
    const removed = await alice.client.storage.from('t-files').remove([name]);
    expect(removed.error).toBeNull();
    expect(removed.data).toHaveLength(1);
    expect(removed.data![0]).toMatchObject({ name, bucket_id: 't-files' });
    expect(objectFiles()).not.toContain(row!.version);
    expect((await alice.client.storage.from('t-files').download(name)).error).toMatchObject({ statusCode: '404' });
  });

  it('never turns an object name into a file path, and refuses names Storage refuses', async () => {
    // Dot segments survive only percent-encoded (fetch would resolve them): the server decodes them into the name.
    const escape = '../../../escape.txt';
    const encoded = escape.replace(/\./g, '%2E').replace(/\//g, '%2F');
    const up = await fetch(`${h.url}/storage/v1/object/t-files/${encoded}`, {
      method: 'POST',
      headers: { apikey: h.serviceRoleKey, Authorization: `Bearer ${h.serviceRoleKey}`, 'Content-Type': 'text/plain' },
      body: 'inside',
    });
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ Key: `t-files/${escape}` });
    expect(existsSync(path.resolve(h.storageDir, 'objects', 't-files', escape))).toBe(false);
    expect(existsSync(path.resolve(h.storageDir, escape))).toBe(false);
    const [row] = await h.sql<{ version: string }>(`select version from storage.objects where name = $1`, [escape]);
    expect(objectFiles()).toContain(row!.version);
    const back = await fetch(`${h.url}/storage/v1/object/authenticated/t-files/${encoded}`, { headers: { apikey: h.serviceRoleKey, Authorization: `Bearer ${h.serviceRoleKey}` } });
    expect(await back.text()).toBe('inside');
    const bad = await alice.client.storage.from('t-files').upload(`${alice.userId}/naïve#.png`, new Blob([bytes(3)], { type: 'image/png' }));
    expect(bad.error).toMatchObject({ statusCode: '400', message: expect.stringContaining('Invalid key') });
  });

  it('refuses forged and unsigned tokens', async () => {
    const name = `${alice.userId}/tokens-${randomUUID()}.png`;
    await alice.client.storage.from('t-files').upload(name, new Blob([bytes(5)], { type: 'image/png' }));
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: alice.userId, role: 'service_role', exp: now + 600 };
    for (const token of [unsignedJwt(claims), signJwt(claims, 'not-the-secret-not-the-secret-not-the-secret')]) {
      const res = await fetch(objectUrl(name), { headers: { apikey: h.anonKey, Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ statusCode: '403', error: 'Unauthorized', message: 'signature verification failed' });
    }
    const postgres = await fetch(objectUrl(name), { headers: { apikey: h.anonKey, Authorization: `Bearer ${signJwt({ ...claims, role: 'postgres' }, h.jwtSecret)}` } });
    expect(postgres.status).toBe(403);
    const forgedClient = clientFor(h.url, h.anonKey);
    expect((await forgedClient.storage.from('t-files').download(name)).error).toMatchObject({ statusCode: '404' });
  });
});
