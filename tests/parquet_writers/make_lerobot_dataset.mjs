// Builds a small LeRobot dataset folder the way LeRobot lays one out, with parquet written by
// DuckDB (an independent writer) and videos encoded by the ffmpeg command, for the LeRobot reader's
// tests and benchmark. Pixel content encodes (camera, episode, frame), so a test can tell exactly
// which frame it got (formulas mirrored in tests/support/lerobot_fixture.h).
//
//   node make_lerobot_dataset.mjs OUT_DIR --version v2.1|v3.0 --ffmpeg PATH
//        [--episodes N --length L] [--episodes-per-file K] [--scale S]
//   node make_lerobot_dataset.mjs OUT_DIR --version v2.0 --openpi
//
// v2.1: one parquet per episode (data/chunk-000/episode_000003.parquet), one H.264 mp4 per
//       episode and video camera, meta/episodes.jsonl, tasks.jsonl, episodes_stats.jsonl.
// v3.0: K episodes per data parquet and per mp4 (AV1, SVT-AV1 as LeRobot encodes), the top
//       camera's mp4 shared by all episodes, meta/episodes/chunk-000/file-000.parquet,
//       meta/tasks.parquet.
// Both have two video cameras (observation.images.top 96x64, observation.images.wrist 64x64) and,
// in v2.1, an image camera stored as PNG bytes in the parquet (observation.images.side 32x24), as
// openpi's LIBERO conversion stores its images. --openpi (v2.0) lays the dataset out as openpi's
// LIBERO conversion does: no videos, `image` and `wrist_image` as PNG structs in the parquet,
// `state` and `actions`, meta/stats.json. --scale multiplies the video cameras' sizes (for
// the benchmark; tests use 1).

import { DuckDBInstance } from '@duckdb/node-api';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

const args = process.argv.slice(2);
const out = args[0];
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const version = option('--version', 'v2.1');
const ffmpeg = option('--ffmpeg', 'ffmpeg');
const FPS = 10;
const episodeCount = Number(option('--episodes', 3));
const lengths = args.includes('--length')
  ? Array(episodeCount).fill(Number(option('--length')))
  : [12, 9, 15].slice(0, episodeCount);
const perFile = Number(option('--episodes-per-file', 2));
const scale = Number(option('--scale', 1));
const openpi = args.includes('--openpi');
const stateKey = openpi ? 'state' : 'observation.state';
const actionKey = openpi ? 'actions' : 'action';
if (!out || !['v2.0', 'v2.1', 'v3.0'].includes(version) || (openpi && version !== 'v2.0') ||
    lengths.length !== episodeCount) {
  console.error('usage: node make_lerobot_dataset.mjs OUT_DIR --version v2.1|v3.0 --ffmpeg PATH [--episodes N --length L]');
  process.exit(2);
}
const TASKS = ['pick up the red cube', 'open the top drawer', 'push the plate to the left'];
const taskOf = (e) => e % TASKS.length;

// Cameras: video ones are flat colour blocks (robust to lossy coding), the image one exact.
const cameras = openpi ? [
  { key: 'image', video: false, width: 32, height: 24, id: 3 },
  { key: 'wrist_image', video: false, width: 32, height: 24, id: 4 },
] : [
  { key: 'observation.images.top', video: true, width: 96 * scale, height: 64 * scale, id: 0 },
  { key: 'observation.images.wrist', video: true, width: 64 * scale, height: 64 * scale, id: 1 },
  ...(version === 'v2.1' ? [{ key: 'observation.images.side', video: false, width: 32, height: 24, id: 2 }] : []),
];
const imageCameras = cameras.filter((c) => !c.video);
function videoPixel(camera, e, t, x, width) {
  return x < width / 2 ? [20 + 15 * t, 60 + 60 * e + 20 * camera, 128] : [255 - 15 * t, 40, 60 + 50 * e];
}
function imagePixel(camera, e, t, x, y) {
  return [(e * 50 + t * 7 + x + 30 * camera) % 256, (y * 9 + t) % 256, (e * 30 + 3 * x + y) % 256];
}
const stateValue = (e, t, d) => Math.fround(e * 100 + t + d / 10);
const actionValue = (e, t, d) => Math.fround(-e - t / 4 + d / 8);

function rgbFrame(camera, e, t) {
  const { width, height } = camera;
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; ++y)
    for (let x = 0; x < width; ++x) {
      const p = camera.video ? videoPixel(camera.id, e, t, x, width) : imagePixel(camera.id, e, t, x, y);
      rgb.set(p, (y * width + x) * 3);
    }
  return rgb;
}

// A minimal PNG encoder (8-bit RGB, no filtering).
function crc32(bytes) {
  let crc = 0xffffffff;
  for (const b of bytes) {
    let c = (crc ^ b) & 0xff;
    for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
function png(width, height, rgb) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; ++y) rgb.copy(raw, y * (width * 3 + 1) + 1, y * width * 3, (y + 1) * width * 3);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

// Encodes frames (a list of [episode, t]) of one camera into one mp4.
function encodeVideo(file, camera, frames) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const codec = version === 'v3.0' ? ['-c:v', 'libsvtav1', '-preset', '12'] : ['-c:v', 'libx264', '-preset', 'veryfast'];
  const input = Buffer.concat(frames.map(([e, t]) => rgbFrame(camera, e, t)));
  // A key frame every 5 frames, so that seeks land mid-group and decode forward.
  const run = spawnSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24',
    '-s', `${camera.width}x${camera.height}`, '-r', String(FPS), '-i', '-', ...codec, '-g', '5',
    '-pix_fmt', 'yuv420p', '-y', file], { input, maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`ffmpeg failed for ${file}: ${run.stderr}`);
}

const ACTION_NAMES = ['x', 'y', 'z', 'roll', 'pitch', 'yaw', 'gripper'];
const features = {
  ...Object.fromEntries(cameras.map((c) => [c.key, {
    dtype: c.video ? 'video' : 'image', shape: [c.height, c.width, 3], names: ['height', 'width', 'channels'],
    ...(c.video ? { info: { 'video.fps': FPS, 'video.codec': version === 'v3.0' ? 'av1' : 'h264' } } : {}),
  }])),
  [stateKey]: { dtype: 'float32', shape: [8], names: null },
  // Action names as LeRobot writes them: a list (v2.1), an object of one list (v3.0, as in its
  // motor features), none in openpi's conversion.
  [actionKey]: { dtype: 'float32', shape: [7], names: openpi ? null : version === 'v2.1' ? ACTION_NAMES : { motors: ACTION_NAMES } },
  timestamp: { dtype: 'float32', shape: [1], names: null },
  frame_index: { dtype: 'int64', shape: [1], names: null },
  episode_index: { dtype: 'int64', shape: [1], names: null },
  index: { dtype: 'int64', shape: [1], names: null },
  task_index: { dtype: 'int64', shape: [1], names: null },
};

const db = await DuckDBInstance.create(':memory:');
const sql = await db.connect();
const scratch = path.join(out, '.rows.ndjson');
fs.mkdirSync(path.join(out, 'meta'), { recursive: true });

// Writes frame rows of some episodes to one parquet file through DuckDB.
let globalIndex = 0;
const firstIndex = [];
for (let e = 0, i = 0; e < episodeCount; i += lengths[e], ++e) firstIndex.push(i);
async function writeData(file, episodes) {
  const rows = [];
  for (const e of episodes)
    for (let t = 0; t < lengths[e]; ++t) {
      const row = {
        state: Array.from({ length: 8 }, (_, d) => stateValue(e, t, d)),
        action: Array.from({ length: 7 }, (_, d) => actionValue(e, t, d)),
        timestamp: Math.fround(t / FPS), frame_index: t, episode_index: e,
        index: firstIndex[e] + t, task_index: taskOf(e),
      };
      for (const c of imageCameras) row[`png_${c.id}`] = png(c.width, c.height, rgbFrame(c, e, t)).toString('hex');
      rows.push(row);
    }
  fs.writeFileSync(scratch, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const images = imageCameras.map((c) =>
    `{'bytes': unhex(png_${c.id})::BLOB, 'path': NULL::VARCHAR} AS "${c.key}",`).join(' ');
  const imageColumns = imageCameras.map((c) => `, png_${c.id}: 'VARCHAR'`).join('');
  await sql.run(`COPY (SELECT ${images}
      CAST(state AS FLOAT[8]) AS "${stateKey}", CAST(action AS FLOAT[7]) AS "${actionKey}",
      CAST(timestamp AS FLOAT) AS timestamp, frame_index, episode_index, "index", task_index
    FROM read_json('${scratch}', format = 'newline_delimited', columns = {
      state: 'DOUBLE[]', action: 'DOUBLE[]', timestamp: 'DOUBLE', frame_index: 'BIGINT',
      episode_index: 'BIGINT', "index": 'BIGINT', task_index: 'BIGINT'${imageColumns}})
    ORDER BY "index") TO '${file}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 2048)`);
  fs.rmSync(scratch);
}

const totalFrames = lengths.reduce((a, b) => a + b, 0);
const info = {
  codebase_version: version, robot_type: 'grids_test', total_episodes: episodeCount, total_frames: totalFrames,
  total_tasks: TASKS.length, chunks_size: 1000, fps: FPS, splits: { train: `0:${episodeCount}` }, features,
};

if (version !== 'v3.0') {
  info.total_chunks = 1;
  info.total_videos = episodeCount * cameras.filter((c) => c.video).length;
  info.data_path = 'data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet';
  info.video_path = cameras.some((c) => c.video)
    ? 'videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4' : null;
  const episodes = [];
  for (let e = 0; e < episodeCount; ++e) {
    const name = String(e).padStart(6, '0');
    await writeData(path.join(out, 'data', 'chunk-000', `episode_${name}.parquet`), [e]);
    for (const c of cameras.filter((c) => c.video))
      encodeVideo(path.join(out, 'videos', 'chunk-000', c.key, `episode_${name}.mp4`), c,
        Array.from({ length: lengths[e] }, (_, t) => [e, t]));
    episodes.push({ episode_index: e, tasks: [TASKS[taskOf(e)]], length: lengths[e] });
  }
  const lines = (list) => list.map((x) => JSON.stringify(x)).join('\n') + '\n';
  fs.writeFileSync(path.join(out, 'meta', 'episodes.jsonl'), lines(episodes));
  fs.writeFileSync(path.join(out, 'meta', 'tasks.jsonl'), lines(TASKS.map((task, i) => ({ task_index: i, task }))));
  if (version === 'v2.1')
    fs.writeFileSync(path.join(out, 'meta', 'episodes_stats.jsonl'), lines(episodes.map((e) => ({
      episode_index: e.episode_index, stats: { [stateKey]: { count: [e.length] } } }))));
  else
    fs.writeFileSync(path.join(out, 'meta', 'stats.json'), JSON.stringify({ [stateKey]: { count: [totalFrames] } }));
} else {
  info.data_path = 'data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet';
  info.video_path = 'videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4';
  info.data_files_size_in_mb = 100;
  info.video_files_size_in_mb = 500;
  const fileOf = (e) => Math.floor(e / perFile);
  const files = fileOf(episodeCount - 1) + 1;
  for (let f = 0; f < files; ++f) {
    const episodes = [...Array(episodeCount).keys()].filter((e) => fileOf(e) === f);
    await writeData(path.join(out, 'data', 'chunk-000', `file-${String(f).padStart(3, '0')}.parquet`), episodes);
  }
  // The top camera: every episode in one mp4; the wrist camera: one mp4 per data file.
  const top = cameras[0], wrist = cameras[1];
  const allFrames = [];
  for (let e = 0; e < episodeCount; ++e) for (let t = 0; t < lengths[e]; ++t) allFrames.push([e, t]);
  encodeVideo(path.join(out, 'videos', top.key, 'chunk-000', 'file-000.mp4'), top, allFrames);
  for (let f = 0; f < files; ++f)
    encodeVideo(path.join(out, 'videos', wrist.key, 'chunk-000', `file-${String(f).padStart(3, '0')}.mp4`), wrist,
      allFrames.filter(([e]) => fileOf(e) === f));
  const rows = [];
  const startInFile = (e, sameFile) => {
    let frames = 0;
    for (let k = 0; k < e; ++k) if (sameFile(k)) frames += lengths[k];
    return frames / FPS;
  };
  for (let e = 0; e < episodeCount; ++e) {
    const topFrom = startInFile(e, () => true);
    const wristFrom = startInFile(e, (k) => fileOf(k) === fileOf(e));
    rows.push({
      episode_index: e, tasks: [TASKS[taskOf(e)]], length: lengths[e],
      data_chunk: 0, data_file: fileOf(e), from_index: firstIndex[e], to_index: firstIndex[e] + lengths[e],
      top_file: 0, top_from: topFrom, top_to: topFrom + lengths[e] / FPS,
      wrist_file: fileOf(e), wrist_from: wristFrom, wrist_to: wristFrom + lengths[e] / FPS,
    });
  }
  fs.writeFileSync(scratch, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const episodesFile = path.join(out, 'meta', 'episodes', 'chunk-000', 'file-000.parquet');
  fs.mkdirSync(path.dirname(episodesFile), { recursive: true });
  const v = (key, field) => `"videos/${key}/${field}"`;
  await sql.run(`COPY (SELECT episode_index, tasks, length,
      data_chunk AS "data/chunk_index", data_file AS "data/file_index",
      from_index AS dataset_from_index, to_index AS dataset_to_index,
      0::BIGINT AS ${v(top.key, 'chunk_index')}, top_file AS ${v(top.key, 'file_index')},
      top_from AS ${v(top.key, 'from_timestamp')}, top_to AS ${v(top.key, 'to_timestamp')},
      0::BIGINT AS ${v(wrist.key, 'chunk_index')}, wrist_file AS ${v(wrist.key, 'file_index')},
      wrist_from AS ${v(wrist.key, 'from_timestamp')}, wrist_to AS ${v(wrist.key, 'to_timestamp')},
      0::BIGINT AS "meta/episodes/chunk_index", 0::BIGINT AS "meta/episodes/file_index"
    FROM read_json('${scratch}', format = 'newline_delimited', columns = {
      episode_index: 'BIGINT', tasks: 'VARCHAR[]', length: 'BIGINT', data_chunk: 'BIGINT', data_file: 'BIGINT',
      from_index: 'BIGINT', to_index: 'BIGINT', top_file: 'BIGINT', top_from: 'DOUBLE', top_to: 'DOUBLE',
      wrist_file: 'BIGINT', wrist_from: 'DOUBLE', wrist_to: 'DOUBLE'})
    ORDER BY episode_index) TO '${episodesFile}' (FORMAT parquet, COMPRESSION snappy)`);
  fs.rmSync(scratch);
  await sql.run(`COPY (SELECT * FROM (VALUES ${TASKS.map((t, i) => `(${i}::BIGINT, '${t}')`).join(', ')})
    AS tasks(task_index, task)) TO '${path.join(out, 'meta', 'tasks.parquet')}' (FORMAT parquet)`);
}
fs.writeFileSync(path.join(out, 'meta', 'info.json'), JSON.stringify(info, null, 4));
console.log(`wrote a LeRobot ${version} dataset of ${episodeCount} episodes (${totalFrames} frames) to ${out}`);
