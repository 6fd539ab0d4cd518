module.exports = require('./tmpdir-global').setup;
