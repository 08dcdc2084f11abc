// kaltura-client ships no types; this declares the small part the gateway uses.
declare module 'kaltura-client' {
  interface Logger {
    log(message: string): void;
    error(message: string): void;
    debug(message: string): void;
  }
  class Configuration {
    serviceUrl: string;
    timeout: number;
    setLogger(logger: Logger): void;
  }
  class RequestBuilder {
    setKs(ks: string): this;
    execute(client: Client): Promise<unknown>;
  }
  class MultiRequestBuilder extends RequestBuilder {
    add(request: RequestBuilder): this;
    callback: ((success: boolean, results: unknown) => void) | null;
    generalCallback: ((success: boolean, results: unknown) => void) | null;
  }
  class Client {
    constructor(config: Configuration);
    /** The axios instance every request of this client goes through. */
    axios: import('axios').AxiosInstance;
  }
  type Filter = Record<string, unknown>;
  const kaltura: {
    Configuration: typeof Configuration;
    Client: typeof Client;
    MultiRequestBuilder: typeof MultiRequestBuilder;
    ILogger: new () => Logger;
    services: {
      session: {
        start(secret: string, userId?: string, type?: number, partnerId?: number | null, expiry?: number, privileges?: string | null): RequestBuilder;
        get(session?: string | null): RequestBuilder;
        end(): RequestBuilder;
      };
      user: {
        get(userId?: string | null): RequestBuilder;
        listAction(filter?: object | null, pager?: object | null): RequestBuilder;
      };
      category: {
        get(id: number): RequestBuilder;
        listAction(filter?: object | null, pager?: object | null): RequestBuilder;
      };
      categoryUser: {
        listAction(filter?: object | null, pager?: object | null): RequestBuilder;
      };
      metadata: {
        listAction(filter?: object | null, pager?: object | null): RequestBuilder;
      };
      uploadToken: {
        add(uploadToken?: object | null): RequestBuilder;
        get(uploadTokenId: string): RequestBuilder;
        listAction(filter?: object | null, pager?: object | null): RequestBuilder;
        upload(uploadTokenId: string, fileData: Buffer | string, resume?: boolean, finalChunk?: boolean, resumeAt?: number): RequestBuilder;
      };
      media: {
        add(entry: object): RequestBuilder;
        addContent(entryId: string, resource?: object | null): RequestBuilder;
        get(entryId: string, version?: number): RequestBuilder;
        listAction(filter?: object | null, pager?: object | null): RequestBuilder;
        deleteAction(entryId: string): RequestBuilder;
      };
      categoryEntry: {
        add(categoryEntry: object): RequestBuilder;
        listAction(filter?: object | null, pager?: object | null): RequestBuilder;
      };
    };
    objects: {
      UserFilter: new (fields?: Filter) => object;
      CategoryFilter: new (fields?: Filter) => object;
      CategoryUserFilter: new (fields?: Filter) => object;
      MetadataFilter: new (fields?: Filter) => object;
      FilterPager: new (fields?: Filter) => object;
      UploadToken: new (fields?: Filter) => object;
      UploadTokenFilter: new (fields?: Filter) => object;
      MediaEntry: new (fields?: Filter) => object;
      MediaEntryFilter: new (fields?: Filter) => object;
      UploadedFileTokenResource: new (fields?: Filter) => object;
      CategoryEntry: new (fields?: Filter) => object;
      CategoryEntryFilter: new (fields?: Filter) => object;
    };
  };
  export default kaltura;
}
