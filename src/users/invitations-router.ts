/**
 * /invitations/:token: the link from an invitation mail. The person sees who
 * invited them and to what, chooses a password, and is sent to sign in with
 * it. A link that cannot be used answers 410 and says what to do.
 */
import { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { ValidationError } from '../lib/errors/app-error.ts';
import { parseInput } from '../lib/http/validate.ts';
import { newPasswordSchema, PASSWORD_MIN } from '../sign-in/passwords.ts';
import { passwordMessages } from '../sign-in/sign-in-router.ts';
import { InvitationLinkError, type InvitationView, type InvitationsService } from './invitations-service.ts';

export interface InvitationsRouterDeps {
  invitations: InvitationsService;
  /** Per address, like the sign-in form: each submit costs a password hash. */
  acceptRateLimit: RequestHandler;
}

export function createInvitationsRouter({ invitations, acceptRateLimit }: InvitationsRouterDeps): Router {
  const router = Router();

  function renderAccept(req: Request, res: Response, status: number, invitation: InvitationView, errors: Record<string, string>) {
    // The page's address is the link itself: it is not cached, and never sent on as a referrer to another site.
    res.set('Cache-Control', 'no-store').status(status).render('invitations/accept', { title: req.t('users:accept.title'), invitation, errors, min: PASSWORD_MIN });
  }

  router.get('/invitations/:token', async (req, res) => {
    const invitation = await invitations.open(req.params.token, req.t);
    if (req.accepts(['html', 'json']) === 'json') return res.set('Cache-Control', 'no-store').json({ invitation });
    renderAccept(req, res, 200, invitation, {});
  });

  router.post('/invitations/:token', acceptRateLimit, async (req, res) => {
    const token = String(req.params.token);
    const invitation = await invitations.open(token, req.t);
    try {
      const form = parseInput(newPasswordSchema(passwordMessages(req.t)), req.body, req.t('common:errors.fixBelow'));
      await invitations.accept(token, form.password, req.t);
    } catch (error) {
      if (error instanceof ValidationError && req.accepts(['html', 'json']) !== 'json') return renderAccept(req, res, 400, invitation, error.fields);
      throw error;
    }
    if (req.accepts(['html', 'json']) === 'json') return res.json({ accepted: true, signIn: '/login' });
    // Signing in is a separate step: the browser offers to remember the new password at the sign-in form, and the
    // one door that opens backend sessions (with its lock-out) stays the only one.
    res.redirect(303, '/login?welcome=1');
  });

  const linkProblems: ErrorRequestHandler = (error, req, res, next) => {
    if (!(error instanceof InvitationLinkError) || req.accepts(['html', 'json']) === 'json') return next(error);
    res.set('Cache-Control', 'no-store').status(410).render('invitations/invalid', { title: error.message, problem: error.problem, message: error.message, help: error.help });
  };
  router.use('/invitations', linkProblems);

  return router;
}
