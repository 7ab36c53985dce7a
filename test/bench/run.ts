// `npm run bench`: Parley side by side with Prosody. The scenarios come with the benchmark issue; until then this
// says so instead of printing figures that do not exist.
process.stdout.write('The benchmark scenarios (login, idle, chat, roster, muc) are not written yet; see the benchmark issue.\n');
