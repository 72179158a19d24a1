// Loaded before every test file: tsyringe needs the Reflect metadata polyfill.
import 'reflect-metadata';
