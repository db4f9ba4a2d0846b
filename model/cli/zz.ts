import { main } from './check.js';
main(process.argv.slice(2)).then((c) => process.exit(c));
