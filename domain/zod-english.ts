import * as z from 'zod/mini';
import { en } from 'zod/locales';

/*
 * Imported for its side effect: zod/mini ships no messages, and this gives every schema English ones
 * ("Invalid input: expected string, received undefined" instead of "Invalid input"), so the errors people
 * read say what is wrong. One module, so each bundle holds one copy of the messages (the database manager
 * imported `zod/v4/locales/en.cjs`, which pulled a second, CommonJS copy of zod's core into its bundle).
 * Modules whose messages a person reads import it; a handler that imports none of them keeps zod's bare
 * messages and a smaller bundle.
 */
z.config(en());
